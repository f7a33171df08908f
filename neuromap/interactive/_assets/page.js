// The standalone page: hover a region for its name, nerves and roots; hover a ranking row for its territory.
(function () {
  const data = JSON.parse(document.getElementById("nm-data").textContent);
  const tooltip = document.getElementById("nm-tooltip");
  const panel = document.getElementById("nm-region-info");
  const figure = document.getElementById("nm-figure");
  let current = null;
  nmWatchRegions(figure, (rid, ev) => {
    if (rid !== current) {
      current = rid;
      const text = nmRegionInfoHtml(rid, data.regions[rid]);
      tooltip.innerHTML = text;
      panel.innerHTML = text;
      panel.dataset.region = rid;
    }
    tooltip.classList.add("nm-shown");
    // beside the pointer, or beside the focused region for the keyboard
    const box = ev.clientX === undefined ? ev.target.getBoundingClientRect() : null;
    const px = box ? box.right : ev.clientX;
    const py = box ? box.top : ev.clientY;
    const x = Math.min(px + 14, window.innerWidth - tooltip.offsetWidth - 4);
    const y = Math.min(py + 14, window.innerHeight - tooltip.offsetHeight - 4);
    tooltip.style.left = `${Math.max(0, x)}px`;
    tooltip.style.top = `${Math.max(0, y)}px`;
  }, () => {
    current = null;
    tooltip.classList.remove("nm-shown");
  });
  const table = document.getElementById("nm-ranking");
  const mark = (regions, on) => regions.forEach((rid) => {
    const el = document.getElementById(rid);
    if (el) el.classList.toggle("nm-highlight", on);
  });
  table.addEventListener("mouseover", (ev) => {
    const row = ev.target.closest("tr[data-regions]");
    if (row) mark(row.dataset.regions.split(" ").filter(Boolean), true);
  });
  table.addEventListener("mouseout", (ev) => {
    const row = ev.target.closest("tr[data-regions]");
    if (row) mark(row.dataset.regions.split(" ").filter(Boolean), false);
  });
})();
