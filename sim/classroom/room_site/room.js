// A student's page: pick a seat, then answer each text; the room is polled twice a second.
const code = location.pathname.split("/")[2].toUpperCase();
const tokenKey = `negsim-seat-${code}`;
let token = localStorage.getItem(tokenKey) || "";
let shownQuestion = null;  // the question the form was built for: rebuilt only when it changes
const $ = (id) => document.getElementById(id);

async function refresh() {
  let state;
  try { state = await call(`/api/rooms/${code}?token=${encodeURIComponent(token)}`); }
  catch (error) { $("round").textContent = "(the server does not answer)"; return; }
  if (token && !state.seat) { token = ""; localStorage.removeItem(tokenKey); }
  render(state);
}

function render(state) {
  document.title = `negsim: ${state.title}`;
  $("title").textContent = state.title;
  $("code").textContent = `room ${state.code}`;
  const table = state.table;
  $("round").textContent = state.phase === "waiting" ? "waiting for the teacher to start"
    : `round ${table.round} of ${table.deadline}` + (state.paused ? " (paused by the teacher)" : "");
  $("timer").textContent = state.left === null || state.left === undefined ? "" : `${Math.ceil(state.left)} s left`;
  $("you").textContent = state.seat ? `you are ${state.seat.name}` : "";
  renderPicker(state);
  renderSeats(state);
  $("rounds").replaceChildren(...state.rounds.map((line) => el("li", {}, line)));
  if (table.points) $("text").replaceChildren(...textTable(table));
  renderQuestion(state);
  $("ended").hidden = state.phase !== "ended";
  if (state.outcome) {
    $("outcome").textContent = `${state.outcome.status}: ${state.outcome.reason}`;
    $("debrief").href = $("save-debrief").href = `/room/${code}/debrief.html`;
    $("save-debrief").download = `debrief-${code}.html`;
  }
  const values = state.revealed.length ? state.revealed : state.seat && state.seat.values ? [state.seat.values] : [];
  $("values-box").hidden = !values.length;
  $("values-title").textContent = state.revealed.length ? "Every party's values (revealed)" : "Your values (only you see them)";
  $("values").replaceChildren(...values.map(valuesTable));
}

function renderPicker(state) {
  $("picker").hidden = Boolean(state.seat);
  if (state.seat) return;
  $("seat-buttons").replaceChildren(...state.seats.map((seat) => el("button", {
    "data-seat": seat.party, disabled: Boolean(seat.student), onclick: () => takeSeat(seat.party),
  }, seat.student ? `${seat.name}: ${seat.student}` : `${seat.name}${seat.role === "mediator" ? " (mediator)" : ""}: empty`)));
}

async function takeSeat(party) {
  try {
    const reply = await call(`/api/rooms/${code}/seat`, {party, name: $("name").value});
    token = reply.token;
    localStorage.setItem(tokenKey, token);
    $("picker-error").textContent = "";
    refresh();
  } catch (error) { $("picker-error").textContent = error.message; }
}

function renderSeats(state) {
  $("seats").replaceChildren(...state.seats.map((seat) => el("li", {"data-seat": seat.party},
    el("b", {}, seat.name), seat.role === "mediator" ? " (mediator)" : "", ": ",
    seat.student || "the model's agent",
    seat.asked ? el("span", {class: seat.answered ? "answered" : "waiting"},
      seat.answered ? " answered" : " thinking...") : "")));
}

function renderQuestion(state) {
  const question = state.question;
  $("play").hidden = !state.seat || state.phase === "ended";
  if (!state.seat) return;
  const key = question ? `${question.round}:${question.kind}` : "";
  if (key === shownQuestion) return;
  shownQuestion = key;
  $("answer-error").textContent = "";
  if (!question) {
    const waitingFor = state.seats.filter((s) => s.asked && !s.answered).map((s) => s.name);
    $("question-title").textContent = "Your answer is in";
    $("question").replaceChildren(el("p", {id: "waiting", class: "note"},
      state.phase === "waiting" ? "The teacher has not started the game yet."
        : waitingFor.length ? `Waiting for ${waitingFor.join(", ")}.` : "Waiting for the next text."));
    shownQuestion = null;  // keep the waiting line fresh
    return;
  }
  const lines = el("div", {}, question.lines.map((line) => el("p", {class: "note"}, line)));
  if (question.kind === "answer") {
    $("question-title").textContent = `Round ${question.round}: accept or reject the text`;
    const rows = textTable(state.table, {
      red: (point) => question.crossed.includes(point.id),
      cells: (point) => el("td", {}, el("label", {}, el("input", {type: "checkbox", name: "push", value: point.id}), " push")),
    });
    $("question").replaceChildren(lines,
      el("p", {}, el("button", {id: "accept", class: "primary", disabled: question.crossed.length > 0,
        onclick: () => send({kind: "accept"})}, "Accept the text"),
      el("button", {id: "reject", onclick: () => send({kind: "reject", points: checked()})}, "Reject, pushing the ticked points"),
      el("button", {id: "leave", onclick: () => leave()}, "Walk out")),
      el("table", {id: "answer-text"}, rows));
  } else {
    const mine = state.seat.values;
    $("question-title").textContent = question.kind === "draft"
      ? `Round ${question.round}: draft the next text, point by point`
      : `Round ${question.round}: your turn to propose a text`;
    const rows = textTable(state.table, {cells: (point) => {
      const values = mine.points.find((p) => p.id === point.id);
      return el("td", {}, el("select", {name: "change", "data-point": point.id, disabled: point.fixed},
        values.options.map((option) => el("option", {value: option.id, selected: option.id === point.option},
          `${option.label} (${option.value.toFixed(2)} to you${option.red ? ", your red line" : ""})`))));
    }});
    $("question").replaceChildren(lines,
      question.links.length ? el("p", {class: "note"}, "Links: " + question.links.join(" ")) : "",
      el("table", {id: "draft-text"}, rows),
      el("p", {}, el("button", {id: "table-text", class: "primary", onclick: () => send({kind: question.kind, changes: changes(state.table)})}, "Table this text"),
      el("button", {id: "keep-text", onclick: () => send({kind: question.kind, changes: {}})}, "Keep the standing text"),
      state.seat.role === "signatory" ? el("button", {id: "leave", onclick: () => leave()}, "Walk out") : ""));
  }
}

function checked() {
  return [...document.querySelectorAll("input[name=push]:checked")].map((box) => box.value);
}

function changes(table) {
  const changed = {};
  for (const select of document.querySelectorAll("select[name=change]")) {
    const point = table.points.find((p) => p.id === select.dataset.point);
    if (select.value !== point.option) changed[point.id] = select.value;
  }
  return changed;
}

async function send(answer) {
  try {
    await call(`/api/rooms/${code}/answer`, {token, ...answer});
    shownQuestion = null;
    refresh();
  } catch (error) { $("answer-error").textContent = error.message; }
}

function leave() {  // two clicks: a walkout ends the talks for everyone
  const button = $("leave");
  if (button.dataset.armed) send({kind: "leave"});
  else { button.dataset.armed = "yes"; button.textContent = "Click again to walk out (the talks end)"; }
}

refresh();
setInterval(refresh, 500);
