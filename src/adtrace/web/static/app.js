// adtrace's only script of its own: no inline script anywhere (Content-Security-Policy).
"use strict";

// Every htmx request carries the session's CSRF token, read from the page's meta tag.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) event.detail.headers["X-CSRF-Token"] = meta.content;
});

// Node and edge colours of the network graph (cytoscape draws on a canvas: no CSS involved).
const GRAPH_STYLE = [
  { selector: "node", style: { label: "data(label)", "font-size": 9, "text-valign": "bottom",
    "text-margin-y": 3, width: 14, height: 14, "background-color": "#6e7781", color: "#1b1f24" } },
  { selector: "node[kind = 'ad']", style: { "background-color": "#0072B2", shape: "round-rectangle" } },
  { selector: "node[kind = 'phone']", style: { "background-color": "#E69F00", shape: "diamond", width: 18, height: 18 } },
  { selector: "node[kind = 'email']", style: { "background-color": "#009E73", shape: "triangle", width: 18, height: 18 } },
  { selector: "node[kind = 'handle']", style: { "background-color": "#CC79A7", shape: "hexagon", width: 18, height: 18 } },
  { selector: "edge", style: { width: 1, "line-color": "#b8c0c8", "curve-style": "haystack" } },
  { selector: "edge[kind = 'link']", style: { width: "mapData(score, 0, 1, 1, 4)", "line-color": "#0a58ca" } },
  { selector: "node:selected", style: { "border-width": 3, "border-color": "#ffbf47" } },
];

const SEARCH_FIELD = { phone: "phone", email: "email", handle: "handle" };

function openNode(node) {
  const data = node.data();
  if (data.kind === "ad") {
    window.location.assign("/ads/" + encodeURIComponent(data.ad_id));
  } else if (SEARCH_FIELD[data.kind]) {
    const query = new URLSearchParams({ [SEARCH_FIELD[data.kind]]: data.value });
    window.location.assign("/search?" + query.toString());
  }
}

function drawGraph(box) {
  if (!window.cytoscape) return;
  fetch(box.dataset.graphUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((graph) => {
      const cy = window.cytoscape({
        container: box,
        elements: graph.elements,
        style: GRAPH_STYLE,
        layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 70 },
      });
      cy.on("tap", "node", (event) => openNode(event.target));
      if (graph.truncated) {
        const note = document.createElement("p");
        note.className = "muted";
        note.textContent = graph.note;
        box.after(note);
      }
      box.dataset.drawn = String(cy.nodes().length);
    })
    .catch(() => {
      box.textContent = box.dataset.error || "The network graph could not be loaded.";
    });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-graph-url]").forEach(drawGraph);
});
