// Shared by the room's pages: building elements (text never parsed as HTML) and JSON calls.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function call(path, body) {
  const reply = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  const data = await reply.json();
  if (!reply.ok) throw new Error(data.error || reply.statusText);
  return data;
}

function textTable(table, extra) {
  // The standing text: one row per point; `extra(point)` adds cells (a checkbox, a select).
  const rows = table.points.map((point, i) => el("tr",
    {class: [point.changed ? "changed" : "", extra && extra.red && extra.red(point) ? "red" : ""].join(" "),
     "data-point": point.id},
    el("td", {}, `${i + 1}.`), el("td", {}, point.title),
    el("td", {class: "option"}, point.label, point.changed ? " *" : "", point.fixed ? " (fixed)" : ""),
    extra ? extra.cells(point) : null));
  return rows;
}

function valuesTable(values) {
  return el("table", {class: "values"},
    el("tr", {}, el("th", {}, "point"), el("th", {}, "weight"), el("th", {}, "options: value to " + values.name)),
    values.points.map((point) => el("tr", {},
      el("td", {}, point.title), el("td", {class: "weight"}, share(point.weight)),
      el("td", {}, point.options.map((option) =>
        el("div", {}, `${option.label}: ${option.value.toFixed(2)}`, option.red ? " (red line)" : ""))))));
}

function share(weight) {  // a weight as a share of the utility: "12%", "<1%" for small ones
  return weight > 0 && weight < 0.005 ? "<1%" : `${Math.round(weight * 100)}%`;
}
