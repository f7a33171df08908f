// The front end of neuromap.interactive.CaseWidget (anywidget ESM; common.js is prepended).
// The model holds the case (`case`, a dict); Python recomputes the localization on each change
// and sends back `result` (the summary), `classes` (region -> CSS classes) and `svg` (the views).

const NM_MODALITIES = [["numbness", "numb"], ["tingling", "tingling"], ["pain", "pain"], ["normal", "normal"],
  ["erase", "erase"]];
const NM_CLASS_STATE = {"nm-numb": "numbness", "nm-tingling": "tingling", "nm-pain": "pain", "nm-normal": "normal"};
const NM_STATE_CLASS = {"numbness": "nm-numb", "tingling": "nm-tingling", "pain": "nm-pain", "normal": "nm-normal"};
const NM_GRADES = ["normal", "4", "3", "2", "1", "0"];
const NM_REFLEX_GRADES = ["", "normal", "reduced", "absent", "brisk"];

function nmStatesFromClasses(classes) {
  const out = {};
  for (const [rid, cls] of Object.entries(classes || {})) {
    for (const c of cls.split(" ")) if (NM_CLASS_STATE[c]) out[rid] = NM_CLASS_STATE[c];
  }
  return out;
}

// The case with its named-region sensory findings replaced by the painted regions (drawings kept).
function nmCaseWithStates(kase, states) {
  const keep = (kase.sensory || []).filter((s) => s.drawing !== undefined);
  const groups = {};
  for (const [rid, st] of Object.entries(states)) (groups[st] = groups[st] || []).push(rid);
  const sensory = [...keep];
  for (const st of ["numbness", "tingling", "pain"]) {
    if (groups[st]) sensory.push({regions: groups[st].sort(), modality: st});
  }
  if (groups.normal) sensory.push({regions: groups.normal.sort(), state: "normal"});
  const out = {...kase, sensory};
  if (!sensory.length) delete out.sensory;
  return out;
}

function nmSelect(options, value) {
  const sel = document.createElement("select");
  for (const [v, label] of options) {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = label;
    sel.appendChild(o);
  }
  sel.value = value;
  return sel;
}

function render({model, el}) {
  el.classList.add("nm-widget");
  el.innerHTML = `<div class="nm-controls"><label>Side </label><span class="nm-side-slot"></span>
    <span class="nm-modalities" role="radiogroup" aria-label="paint with"></span></div>
    <div class="nm-red-flags"></div>
    <div class="nm-figure"></div><div class="nm-info nm-hover-info">Hover a region for its name, nerves and roots;
    click or drag to paint it.</div>
    <div class="nm-controls nm-motor"><b>Strength</b> <span class="nm-motor-slot"></span>
    <button type="button" class="nm-motor-set">set</button><ul class="nm-motor-list"></ul></div>
    <div class="nm-controls nm-reflexes"><b>Reflexes</b> </div>
    <div class="nm-error"></div><div class="nm-start"></div><div class="nm-pattern"></div><div class="nm-ranking-slot"></div>
    <div class="nm-next"></div><div class="nm-warnings"></div>`;
  const $ = (sel) => el.querySelector(sel);
  let states = nmStatesFromClasses(model.get("classes"));
  let modality = "numbness";
  let painting = false;

  const push = (kase) => {
    model.set("case", kase);
    model.save_changes();
  };

  // side
  const side = nmSelect([["left", "left"], ["right", "right"], ["bilateral", "bilateral"]], model.get("case").side);
  side.className = "nm-side";
  side.addEventListener("change", () => push({...model.get("case"), side: side.value}));
  $(".nm-side-slot").appendChild(side);

  // paint modalities
  for (const [value, label] of NM_MODALITIES) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.modality = value;
    b.className = `nm-modality nm-${label}`;
    b.setAttribute("aria-pressed", String(value === modality));
    b.addEventListener("click", () => {
      modality = value;
      el.querySelectorAll(".nm-modality").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    });
    $(".nm-modalities").appendChild(b);
  }

  // the figure: colour from the states, paint on click or drag
  const colour = () => {
    const classes = model.get("classes") || {};
    el.querySelectorAll(".nm-region").forEach((path) => {
      const rid = path.dataset.region;
      const territory = (classes[rid] || "").split(" ").includes("nm-territory");
      path.setAttribute("class", ["nm-region", NM_STATE_CLASS[states[rid]] || "", territory ? "nm-territory" : ""]
        .filter(Boolean).join(" "));
    });
  };
  const paint = (rid, toggle) => {
    const next = {...states};
    if (modality === "erase" || (toggle && next[rid] === modality)) delete next[rid];
    else next[rid] = modality;
    if (JSON.stringify(next) === JSON.stringify(states)) return;
    states = next;
    colour();
    push(nmCaseWithStates(model.get("case"), states));
  };
  const figure = $(".nm-figure");
  const drawSvg = () => {
    figure.innerHTML = model.get("svg");
    colour();
  };
  figure.addEventListener("mousedown", (ev) => {
    const path = ev.target.closest(".nm-region");
    if (!path) return;
    ev.preventDefault();
    painting = true;
    paint(path.dataset.region, true);
  });
  figure.addEventListener("mouseover", (ev) => {
    const path = ev.target.closest(".nm-region");
    if (path && painting && ev.buttons & 1) paint(path.dataset.region, false);
  });
  figure.addEventListener("keydown", (ev) => {
    const path = ev.target.closest(".nm-region");
    if (path && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      paint(path.dataset.region, true);
    }
  });
  const stop = () => { painting = false; };
  window.addEventListener("mouseup", stop);
  nmWatchRegions(figure, (rid) => {
    const info = $(".nm-hover-info");
    if (info.dataset.region !== rid) {
      info.innerHTML = nmRegionInfoHtml(rid, model.get("regions")[rid]);
      info.dataset.region = rid;
    }
  }, () => {});

  // strength
  const movements = model.get("movements").map((m) => [m.id, m.label]);
  const movement = nmSelect(movements, movements.length ? movements[0][0] : "");
  movement.className = "nm-movement";
  const grade = nmSelect(NM_GRADES.map((g) => [g, g === "normal" ? "normal (5)" : `MRC ${g}`]), "4");
  grade.className = "nm-grade";
  $(".nm-motor-slot").append(movement, " ", grade);
  $(".nm-motor-set").addEventListener("click", () => {
    const kase = model.get("case");
    const motor = (kase.motor || []).filter((m) => m.name !== movement.value);
    motor.push({name: movement.value, grade: grade.value === "normal" ? "normal" : Number(grade.value)});
    push({...kase, motor});
  });
  const drawMotor = () => {
    const list = $(".nm-motor-list");
    list.innerHTML = "";
    const labels = Object.fromEntries(movements);
    for (const m of model.get("case").motor || []) {
      const li = document.createElement("li");
      li.dataset.movement = m.name;
      li.textContent = `${labels[m.name] || m.name}: ${m.grade} `;
      const x = document.createElement("button");
      x.type = "button";
      x.textContent = "remove";
      x.addEventListener("click", () => {
        const kase = model.get("case");
        push({...kase, motor: (kase.motor || []).filter((y) => y.name !== m.name)});
      });
      li.appendChild(x);
      list.appendChild(li);
    }
  };

  // reflexes
  const reflexSelects = {};
  for (const r of model.get("reflexes")) {
    const label = document.createElement("label");
    label.textContent = ` ${r.label} `;
    const sel = nmSelect(NM_REFLEX_GRADES.map((g) => [g, g || "not tested"]), "");
    sel.dataset.reflex = r.id;
    sel.addEventListener("change", () => {
      const kase = model.get("case");
      const reflexes = {...(kase.reflexes || {})};
      if (sel.value) reflexes[r.id] = sel.value;
      else delete reflexes[r.id];
      const out = {...kase, reflexes};
      if (!Object.keys(reflexes).length) delete out.reflexes;
      push(out);
    });
    reflexSelects[r.id] = sel;
    label.appendChild(sel);
    $(".nm-reflexes").appendChild(label);
  }
  const drawReflexes = () => {
    const given = model.get("case").reflexes || {};
    for (const [id, sel] of Object.entries(reflexSelects)) {
      sel.value = typeof given[id] === "string" && NM_REFLEX_GRADES.includes(given[id]) ? given[id] : "";
    }
  };

  // the result
  const drawResult = () => {
    const res = model.get("result") || {};
    const list = (items) => `<ul>${(items || []).map((x) => `<li>${nmEscape(x)}</li>`).join("")}</ul>`;
    $(".nm-red-flags").innerHTML = (res.red_flags || []).map((m) => `<p>${nmEscape(m)}</p>`).join("");
    const empty = !model.get("error") && !(res.hypotheses || []).length && !(res.red_flags || []).length;
    $(".nm-error").textContent = model.get("error") || "";
    $(".nm-start").textContent = empty ? "Paint a region, set a strength grade or a reflex to start." : "";
    const p = res.pattern || {};
    $(".nm-pattern").innerHTML = p.kind ? `<b>Pattern:</b> ${nmEscape(p.kind.replace(/_/g, " "))}` +
      `${p.which ? ` (${nmEscape(p.which)})` : ""}${p.message ? ` - ${nmEscape(p.message)}` : ""}` : "";
    $(".nm-ranking-slot").innerHTML = nmRankingHtml(res.hypotheses || []);
    $(".nm-next").innerHTML = (res.next_examination || []).length
      ? `<b>Next examination:</b>${list(res.next_examination)}` : "";
    $(".nm-warnings").innerHTML = (res.warnings || []).length ? `<b>Warnings:</b>${list(res.warnings)}` : "";
  };

  const onCase = () => {
    side.value = model.get("case").side;
    drawMotor();
    drawReflexes();
  };
  const onClasses = () => {
    states = nmStatesFromClasses(model.get("classes"));
    colour();
  };
  model.on("change:case", onCase);
  model.on("change:classes", onClasses);
  model.on("change:svg", drawSvg);
  model.on("change:result", drawResult);
  model.on("change:error", drawResult);
  drawSvg();
  onCase();
  drawResult();
  return () => {
    window.removeEventListener("mouseup", stop);
    model.off("change:case", onCase);
    model.off("change:classes", onClasses);
    model.off("change:svg", drawSvg);
    model.off("change:result", drawResult);
    model.off("change:error", drawResult);
  };
}

export default {render};
