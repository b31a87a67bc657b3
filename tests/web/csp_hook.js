// Test hook, added by Playwright before any page script runs (not part of the app): records
// every Content-Security-Policy violation so a test can assert there was none.
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
