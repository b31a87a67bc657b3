"""adtrace: trace the operations behind online sex ads."""

__version__ = "0.1.0"
