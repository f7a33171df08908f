// neuromap interactive views: shared by the HTML page and the Jupyter widget.
// (Concatenated before page.js or widget.js by neuromap.interactive; no imports, no network.)

function nmEscape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
}

// The description of one region: its name, view, nerves and roots per dermatome layer.
function nmRegionInfoHtml(rid, info) {
  if (!info) return "";
  const nerves = info.nerves.length ? info.nerves.map(nmEscape).join(" &larr; ") : "none in the atlas";
  const layers = info.roots.map((l) =>
    `<li><b>${nmEscape(l.layer)}</b>: ${l.roots.length ? l.roots.map(nmEscape).join(", ") : "no root given"}</li>`);
  return `<h4 class="nm-info-name" data-region="${nmEscape(rid)}">${nmEscape(info.label)}</h4>` +
    `<div class="nm-info-view">${nmEscape(info.view)}</div>` +
    `<div class="nm-info-nerves"><b>Nerves:</b> ${nerves}</div>` +
    `<div><b>Roots by dermatome layer:</b><ul class="nm-info-roots">${layers.join("")}</ul></div>`;
}

// Call onEnter(rid, event) / onLeave() as the pointer or the keyboard focus moves over region elements.
function nmWatchRegions(root, onEnter, onLeave) {
  const regionOf = (ev) => ev.target.closest ? ev.target.closest(".nm-region") : null;
  root.addEventListener("mouseover", (ev) => {
    const el = regionOf(ev);
    if (el) onEnter(el.dataset.region, ev);
  });
  root.addEventListener("mousemove", (ev) => {
    const el = regionOf(ev);
    if (el) onEnter(el.dataset.region, ev);
  });
  root.addEventListener("mouseout", (ev) => {
    if (regionOf(ev)) onLeave();
  });
  // keyboard: each region is a tab stop; focus describes it like the pointer does
  root.addEventListener("focusin", (ev) => {
    const el = regionOf(ev);
    if (el) onEnter(el.dataset.region, ev);
  });
  root.addEventListener("focusout", (ev) => {
    if (regionOf(ev)) onLeave();
  });
}

// The ranking as a table: rank, hypothesis, score, and what it explains, leaves unexplained, contradicts.
function nmRankingHtml(hypotheses) {
  const list = (items, cls) => items.length
    ? `<ul class="${cls}">${items.map((x) => `<li>${nmEscape(x)}</li>`).join("")}</ul>` : "";
  const rows = hypotheses.map((h) =>
    `<tr data-hypothesis="${nmEscape(h.id)}" data-regions="${nmEscape(h.regions.join(" "))}">` +
    `<td>${h.rank}</td><td>${nmEscape(h.label)}</td><td>${h.score.toFixed(2)}</td>` +
    `<td>${list(h.explains, "nm-expl")}</td><td>${list(h.unexplained, "nm-unexpl")}</td>` +
    `<td>${list(h.contradicts, "nm-contra")}</td></tr>`);
  return `<table class="nm-ranking"><thead><tr><th>#</th><th>hypothesis</th><th>score</th><th>explains</th>` +
    `<th>leaves unexplained</th><th>contradicts</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
