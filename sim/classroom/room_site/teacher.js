// The teacher's page: open rooms, show each room's code and seats, start, pause, reset, reveal.
const key = new URLSearchParams(location.search).get("key") || "";
const $ = (id) => document.getElementById(id);
let scenariosShown = false;

async function refresh() {
  let state;
  try { state = await call(`/api/teacher?key=${encodeURIComponent(key)}`); }
  catch (error) { $("error").textContent = error.message; return; }
  $("join").textContent = `Students open ${state.join}/ and type the room's code`;
  if (!scenariosShown) {
    $("scenario").replaceChildren(...state.scenarios.map((name) =>
      el("option", {value: name, selected: name === state.first}, name)));
    scenariosShown = true;
  }
  $("rooms").replaceChildren(...state.rooms.map(roomCard));
}

function roomCard(room) {
  const act = (action) => async () => {
    try { await call(`/api/teacher/rooms/${room.code}/${action}`, {key}); $("error").textContent = ""; refresh(); }
    catch (error) { $("error").textContent = error.message; }
  };
  const table = room.table;
  const where = room.phase === "waiting" ? "not started" : room.phase === "ended"
    ? `ended in round ${table.round}: ${room.outcome.status}` : `round ${table.round} of ${table.deadline}`;
  return el("section", {class: "room-card", "data-room": room.code},
    el("h2", {}, el("span", {class: "big"}, room.code), ` ${room.title} (seed ${room.seed}), ${where}`,
      room.paused ? " (paused)" : "", room.left !== null && room.left !== undefined ? `, ${Math.ceil(room.left)} s left` : ""),
    el("p", {}, "Join link: ", el("a", {href: room.link, class: "join-link"}, room.link)),
    el("ul", {class: "seats"}, room.seats.map((seat) => el("li", {"data-seat": seat.party},
      el("b", {}, seat.name), seat.role === "mediator" ? " (mediator)" : "", ": ",
      seat.student || "the model's agent",
      seat.asked ? el("span", {class: seat.answered ? "answered" : "waiting"}, seat.answered ? " answered" : " not yet answered") : ""))),
    el("p", {},
      el("button", {class: "primary", "data-action": "start", disabled: room.phase !== "waiting", onclick: act("start")}, "Start"),
      el("button", {"data-action": room.paused ? "resume" : "pause", disabled: room.phase !== "playing", onclick: act(room.paused ? "resume" : "pause")}, room.paused ? "Resume" : "Pause"),
      el("button", {"data-action": "reset", onclick: act("reset")}, "Reset"),
      el("button", {"data-action": "reveal", disabled: room.phase !== "ended", onclick: act("reveal")}, "Reveal each party's values"),
      room.phase === "ended" ? [
        el("a", {href: `/room/${room.code}/debrief.html`, class: "debrief"}, "The debrief"), " ",
        el("a", {href: `/room/${room.code}/debrief.html`, download: `debrief-${room.code}.html`}, "(save it)"),
      ] : ""),
    room.outcome ? el("p", {class: "outcome"}, room.outcome.reason) : "",
    room.rounds.length ? el("p", {class: "latest"}, room.rounds[0]) : "",
    el("details", {open: openTexts.has(room.code), ontoggle: (event) => toggled(room.code, event)},
      el("summary", {}, "The text on the table, and every round"),
      el("table", {class: "text"}, textTable(table)),
      el("ol", {class: "rounds", reversed: true}, room.rounds.map((line) => el("li", {}, line)))));
}

const openTexts = new Set();  // the rooms whose text the teacher has opened, kept across refreshes
function toggled(code, event) {
  if (event.target.open) openTexts.add(code); else openTexts.delete(code);
}

$("open").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await call("/api/teacher/rooms", {key, scenario: $("scenario").value,
      seed: Number($("seed").value) || 1, timer: Number($("timer").value) || 0});
    $("error").textContent = "";
    refresh();
  } catch (error) { $("error").textContent = error.message; }
});

refresh();
setInterval(refresh, 1000);
