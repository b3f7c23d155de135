// The sandbox page: polls the emulator for what the chosen person sees, sends what they do.

import { renderBlocks, stateValues } from "./blockkit.js";
import { mrkdwn, plain } from "./mrkdwn.js";

const POLL_MS = 700;
// Where emoji live in Unicode: the served emoji font draws only these, the text font the rest.
const EMOJI_RANGES = "U+203C, U+2049, U+2122, U+2139, U+2194-21AA, U+231A-23FF, U+24C2, U+25AA-27BF, U+2934-2935, U+2B05-2B55, U+3030, U+303D, U+3297, U+3299, U+FE0F, U+1F000-1FAFF";
const $ = (id) => document.getElementById(id);

const ui = {
  user: new URLSearchParams(location.search).get("user") || localStorage.getItem("sandbox.user") || "",
  channel: localStorage.getItem("sandbox.channel") || "",
  thread: "",
  tab: "messages",
  state: null,
  drawn: {},
  // Keep the newest message in view, as Slack does, unless the person scrolled up to read.
  following: true,
};

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

// ---- talking to the emulator

async function fetchState() {
  const query = new URLSearchParams({ user: ui.user, channel: ui.channel, thread: ui.thread });
  const answer = await fetch(`/_sandbox/state?${query}`);
  return answer.json();
}

async function send(body) {
  const answer = await fetch("/_sandbox/act", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: ui.user, ...body }),
  });
  return answer.json();
}

async function act(body) {
  const result = await send(body);
  // message: what the clock did or why not; notice: what the app answered; error: a refusal.
  const said = result.message || result.notice || result.error;
  if (said) notify(said, !result.ok);
  await refresh();
  return result;
}

// The options the app gives a type-ahead menu; null (and a notice) when there are none to show.
async function suggest(body) {
  const result = await send({ type: "suggest", ...body });
  if (result.ok) return result;
  notify(result.notice || result.error, true);
  return null;
}

function notify(text, isError) {
  const notice = $("notice");
  notice.textContent = text;
  notice.classList.toggle("error", Boolean(isError));
  notice.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (notice.hidden = true), 8000);
}

// ---- lookups for the renderers

function context(extra = {}) {
  const state = ui.state;
  return {
    users: state.users,
    channels: state.channels,
    // Slack shows each <!date^…> in the reader's own timezone, "today" counted from sandbox time.
    tz: state.users.find((u) => u.id === state.me)?.tz || "UTC",
    now: state.clock.now,
    userName: (id) => state.users.find((u) => u.id === id)?.name || id,
    channelName: (id) => state.channels.find((c) => c.id === id)?.name || id,
    act: (action) => act({ type: "action", ...action }),
    ...extra,
  };
}

function channelLabel(channel) {
  return channel.kind === "im" ? "ritualbot" : (channel.kind === "private" ? "(private) " : "# ") + channel.name;
}

function localTime(ts) {
  const me = ui.state.users.find((u) => u.id === ui.state.me);
  const when = new Date(parseFloat(ts) * 1000);
  // Within the last week a weekday says when; further back (the demo's history) it would mislead.
  const recent = new Date(ui.state.clock.now) - when < 6 * 24 * 3600 * 1000;
  const day = recent ? { weekday: "short" } : { month: "short", day: "numeric" };
  try {
    return when.toLocaleString([], { timeZone: me?.tz || "UTC", ...day, hour: "2-digit", minute: "2-digit" });
  } catch {
    return when.toLocaleString();
  }
}

// ---- drawing

function changed(key, value) {
  const text = JSON.stringify(value);
  if (ui.drawn[key] === text) return false;
  ui.drawn[key] = text;
  return true;
}

function drawPeople() {
  const who = $("who");
  const people = ui.state.users.filter((u) => !u.is_bot);
  if (!changed("people", people)) {
    who.value = ui.state.me;
    return;
  }
  who.replaceChildren(...people.map((u) => new Option(`${u.real_name} (@${u.name}, ${u.tz})`, u.id)));
  who.value = ui.state.me;
}

function drawSidebar() {
  const state = ui.state;
  $("team-name").textContent = state.team.name;
  const clock = new Date(state.clock.now);
  $("clock").textContent = "Sandbox time " + clock.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  if (!changed("sidebar", [state.channels, state.channel, ui.tab, state.surface.global_shortcuts])) return;
  const item = (channel) => {
    const link = el("button", "channel-link", [channelLabel(channel)]);
    link.type = "button";
    link.dataset.channel = channel.id;
    link.classList.toggle("active", channel.id === state.channel);
    link.addEventListener("click", () => openChannel(channel.id, channel.kind === "im" ? "home" : "messages"));
    return el("li", "", [link]);
  };
  $("channels").replaceChildren(...state.channels.filter((c) => c.kind !== "im").map(item));
  $("apps").replaceChildren(...state.channels.filter((c) => c.kind === "im").map(item));
  const shortcuts = state.surface.global_shortcuts.map((s) => {
    const run = el("button", "shortcut", ["Shortcut: " + s.name]);
    run.type = "button";
    run.addEventListener("click", () => act({ type: "global_shortcut", callback_id: s.callback_id }));
    return run;
  });
  $("global-shortcuts").replaceChildren(...shortcuts);
}

function messageNode(message, { inThread }) {
  const state = ui.state;
  const author = state.users.find((u) => u.id === message.user);
  const node = el("article", "message");
  node.dataset.ts = message.ts;
  node.classList.toggle("ephemeral", message.ephemeral);
  // A post the app made under a person's name and picture (chat:write.customize) shows
  // them, as Slack does, with the APP badge saying the app posted it.
  const shownName = message.username || (author ? author.real_name || author.name : message.user);
  const name = el("span", "author", [shownName]);
  const meta = el("div", "meta", [name]);
  if (message.bot) meta.append(el("span", "app-badge", ["APP"]));
  meta.append(el("time", "", [localTime(message.ts)]));
  if (message.edited) meta.append(el("span", "edited", ["(edited)"]));
  if (message.ephemeral) meta.append(el("span", "only-you", ["Only visible to you"]));
  const avatar = el("div", "avatar", [(message.username || author?.name || "?").slice(0, 1).toUpperCase()]);
  if (message.icon_url) {
    const picture = el("img", "avatar-image");
    picture.src = message.icon_url;
    picture.alt = "";
    avatar.replaceChildren(picture);
  }
  node.append(avatar, meta);
  const body = el("div", "body");
  const ctx = context({
    act: (action) => act({ type: "action", channel: message.channel, message_ts: message.ts, ...action }),
  });
  if (message.blocks?.length) body.append(renderBlocks(message.blocks, ctx));
  else body.append(mrkdwn(message.text, ctx));
  for (const file of message.files || []) body.append(fileNode(file));
  node.append(body);
  const tools = el("div", "message-tools");
  if (!message.ephemeral && !inThread) {
    if (message.reply_count) {
      const replies = el("button", "replies", [`${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}`]);
      replies.type = "button";
      replies.addEventListener("click", () => openThread(message.ts));
      tools.append(replies);
    }
    const reply = el("button", "reply", ["Reply in thread"]);
    reply.type = "button";
    reply.addEventListener("click", () => openThread(message.ts));
    tools.append(reply);
  }
  if (!message.ephemeral && state.surface.message_shortcuts.length) {
    const menu = el("select", "message-shortcuts");
    menu.setAttribute("aria-label", "Message shortcuts");
    menu.append(new Option("Shortcuts…", ""));
    for (const s of state.surface.message_shortcuts) menu.append(new Option(s.name, s.callback_id));
    menu.addEventListener("change", () => {
      const callback = menu.value;
      menu.value = "";
      if (callback) act({ type: "message_shortcut", channel: message.channel, message_ts: message.ts, callback_id: callback });
    });
    tools.append(menu);
  }
  node.append(tools);
  return node;
}

function fileNode(file) {
  const url = String(file.url_private || "");
  const safe = /^https?:\/\//i.test(url) ? url : null;
  if (safe && String(file.mimetype || "").startsWith("image/")) {
    const figure = el("figure", "file", [el("figcaption", "", [file.title || file.name])]);
    const image = el("img");
    image.src = safe;
    image.alt = file.title || file.name || "";
    // As in Slack, a click shows the image at full size (a chart is unreadable at thread width).
    const full = el("a", "file-open", [image]);
    full.href = safe;
    full.target = "_blank";
    full.rel = "noopener noreferrer";
    full.title = "Open full size";
    figure.append(full);
    return figure;
  }
  const link = el("a", "file", ["File: " + (file.title || file.name)]);
  if (safe) link.href = safe;
  return link;
}

function drawMessages() {
  const state = ui.state;
  const channel = state.channels.find((c) => c.id === state.channel);
  $("channel-title").textContent = channelLabel(channel);
  $("tabs").hidden = channel.kind !== "im";
  $("tab-home").classList.toggle("active", ui.tab === "home");
  $("tab-messages").classList.toggle("active", ui.tab === "messages");
  const showHome = channel.kind === "im" && ui.tab === "home";
  $("home").hidden = !showHome;
  $("messages").hidden = showHome;
  // As in Slack: the app's Messages tab has no composer when the manifest makes it read-only.
  $("composer").hidden = showHome || (channel.kind === "im" && state.surface.messages_read_only);
  if (showHome) return drawHome();
  // Stamps and date tokens are drawn in the viewer's timezone: a new viewer redraws them.
  if (!changed("messages", [state.me, state.messages, state.users, state.surface])) return;
  const list = $("messages");
  list.replaceChildren(
    ...(state.messages.length ? state.messages.map((m) => messageNode(m, { inThread: false })) : [el("p", "empty", ["No messages yet."])]),
  );
  follow(list);
}

function nearBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function follow(list) {
  if (ui.following) list.scrollTop = list.scrollHeight;
}

// Lists that stay scrolled to their newest message while the person has not scrolled away,
// also when their size changes (a thread opening narrows the channel; an image loads).
function keepFollowing(list) {
  list.addEventListener("scroll", () => (ui.following = nearBottom(list)));
  const resized = new ResizeObserver(() => follow(list));
  resized.observe(list);
  list.addEventListener("load", () => follow(list), true);
}

function drawHome() {
  const home = ui.state.home;
  if (!changed("home", [ui.state.me, home])) return;
  const root = $("home");
  if (!home) {
    root.replaceChildren(el("p", "empty", ["Opening the Home tab…"]));
    return;
  }
  root.replaceChildren(renderBlocks(home.blocks, context({ act: (action) => act({ type: "action", view_id: home.id, ...action }) })));
}

function drawThread() {
  const aside = $("thread");
  aside.hidden = !ui.thread;
  if (!ui.thread || !changed("thread", [ui.state.me, ui.thread, ui.state.thread])) return;
  const list = $("thread-messages");
  // A thread opens at its root; once open, a new reply is followed if the end was in view.
  const same = list.dataset.ts === ui.thread;
  const atBottom = same && nearBottom(list);
  list.replaceChildren(...ui.state.thread.map((m) => messageNode(m, { inThread: true })));
  list.dataset.ts = ui.thread;
  if (atBottom) list.scrollTop = list.scrollHeight;
  else if (!same) list.scrollTop = 0;
}

// Views drawn so far, by id: going back to a view under a pushed one shows it as it was left,
// and a views.update keeps what was typed in inputs whose block and action ids stay the same,
// as Slack does.
const drawnViews = new Map();

function drawModal() {
  const modal = ui.state.modal;
  $("modal-backdrop").hidden = !modal;
  if (!modal) {
    ui.drawn.modal = null;
    return;
  }
  const root = $("modal");
  const key = `${modal.id}:${modal.hash}`;
  if (ui.drawn.modal !== key) {
    ui.drawn.modal = key;
    const before = drawnViews.get(modal.id);
    const shown = before?.hash === modal.hash ? before : buildModal(modal);
    if (shown !== before && before) carryInputs(before.inputs, shown.inputs);
    drawnViews.set(modal.id, shown);
    root.replaceChildren(...shown.nodes);
    root._inputs = shown.inputs;
    ui.drawn.modalErrors = null;
  }
  if (changed("modalErrors", modal.errors)) drawModalErrors(root, modal.errors);
}

function buildModal(modal) {
  const view = modal.view;
  const inputs = [];
  const ctx = context({
    inputs,
    act: (action) => act({ type: "action", view_id: modal.id, state_values: stateValues(inputs), ...action }),
    suggest: (query) => suggest({ view_id: modal.id, state_values: stateValues(inputs), ...query }),
  });
  const close = el("button", "modal-close", ["×"]);
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  close.addEventListener("click", () => act({ type: "close", view_id: modal.id }));
  const header = el("div", "modal-header", [el("h2", "", [plain(view.title?.text)]), close]);
  header.firstChild.id = "modal-title";
  const form = el("form", "modal-body");
  form.noValidate = true;
  form.append(el("div", "modal-general-error"), renderBlocks(view.blocks, ctx));
  const footer = el("div", "modal-footer");
  const cancel = el("button", "bk-button", [plain(view.close?.text || "Cancel")]);
  cancel.type = "button";
  cancel.addEventListener("click", () => act({ type: "close", view_id: modal.id }));
  footer.append(cancel);
  if (view.submit) {
    const submit = el("button", "bk-button primary modal-submit", [plain(view.submit.text)]);
    submit.type = "submit";
    footer.append(submit);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act({ type: "submit", view_id: modal.id, values: stateValues(inputs) });
  });
  form.append(footer);
  return { hash: modal.hash, nodes: [header, form], inputs };
}

function carryInputs(from, to) {
  for (const input of to) {
    const old = from.find(
      (o) => o.block_id === input.block_id && o.element?.action_id === input.element?.action_id && o.element?.type === input.element?.type,
    );
    if (!old) continue;
    const was = old.node.querySelectorAll("input, textarea, select");
    const now = input.node.querySelectorAll("input, textarea, select");
    if (was.length !== now.length) continue;
    now.forEach((control, index) => {
      const previous = was[index];
      if (control.type === "checkbox" || control.type === "radio") control.checked = previous.checked;
      else if (control.multiple) {
        const picked = new Set([...previous.selectedOptions].map((o) => o.value));
        for (const option of control.options) option.selected = picked.has(option.value);
      } else control.value = previous.value;
    });
  }
}

function drawModalErrors(root, errors) {
  for (const input of root._inputs || []) {
    const message = errors[input.block_id] || "";
    input.node.querySelector(".bk-error").textContent = message;
    input.node.classList.toggle("invalid", Boolean(message));
  }
  const general = root.querySelector(".modal-general-error");
  general.textContent = errors.response_action ? `ritualbot sent a view Slack refused: ${errors.response_action}` : "";
  root.querySelector(".invalid input, .invalid textarea, .invalid select")?.focus();
}

// Emoji in the installed font the sandbox serves; without one, a note on how to install one.
function drawEmojiFont() {
  const emoji = ui.state.emoji;
  if (!emoji || ui.emojiChecked) return;
  ui.emojiChecked = true;
  if (emoji.font) {
    const face = new FontFace("Sandbox Emoji", "url(/static/emoji-font)", { unicodeRange: EMOJI_RANGES });
    document.fonts.add(face);
    face.load().catch(() => {});
    return;
  }
  $("emoji-install").textContent = emoji.install;
  $("emoji-note").hidden = localStorage.getItem("sandbox.emoji-note") === "dismissed";
}

function draw() {
  if (!ui.state.ready) return;
  ui.user = ui.state.me;
  ui.channel = ui.state.channel;
  drawEmojiFont();
  drawPeople();
  drawSidebar();
  drawMessages();
  drawThread();
  drawModal();
  document.body.dataset.ready = "true";
}

async function refresh() {
  try {
    const asked = ui.user;
    const where = ui.channel;
    const state = await fetchState();
    // A poll sent before "You are" changed answers for the person before, and one sent
    // before a click on another channel for the channel before (drawn, it would take the
    // click back): drop it.
    if (asked !== ui.user || where !== ui.channel) return;
    ui.state = state;
    draw();
  } catch (error) {
    notify(`The sandbox is not answering (${error.message}); is \`ritualbot sandbox\` still running?`, true);
  }
}

// ---- navigation and composing

function openChannel(channelId, tab) {
  ui.channel = channelId;
  ui.tab = tab;
  ui.thread = "";
  ui.following = true;
  ui.drawn = { people: ui.drawn.people };
  localStorage.setItem("sandbox.channel", channelId);
  if (tab === "home") act({ type: "home" });
  else refresh();
}

function openThread(ts) {
  ui.thread = ts;
  refresh();
}

function commandHints() {
  const text = $("composer-text").value;
  const hints = $("command-hints");
  const commands = ui.state?.surface.commands || [];
  const typed = text.split(" ")[0];
  const matching = text.startsWith("/") && !text.includes(" ") ? commands.filter((c) => c.command.startsWith(typed)) : [];
  hints.hidden = !matching.length;
  hints.replaceChildren(
    ...matching.map((c) => {
      const hint = el("button", "command-hint", [el("b", "", [c.command]), " ", c.usage_hint || "", el("span", "", [c.description])]);
      hint.type = "button";
      hint.addEventListener("click", () => {
        $("composer-text").value = c.command + " ";
        $("composer-text").focus();
        commandHints();
      });
      return hint;
    }),
  );
}

function composer(form, textarea, extra) {
  const send = async () => {
    const text = textarea.value.trim();
    if (!text) return;
    textarea.value = "";
    commandHints();
    if (textarea.id === "composer-text") ui.following = true;
    await act({ type: "message", channel: ui.channel, text, ...extra() });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  });
}

function start() {
  keepFollowing($("messages"));
  composer($("composer"), $("composer-text"), () => ({}));
  composer($("thread-composer"), $("thread-text"), () => ({ thread_ts: ui.thread }));
  $("composer-text").addEventListener("input", commandHints);
  $("who").addEventListener("change", () => {
    ui.user = $("who").value;
    localStorage.setItem("sandbox.user", ui.user);
    ui.drawn = {};
    if (ui.tab === "home") act({ type: "home" });
    else refresh();
  });
  $("emoji-note-close").addEventListener("click", () => {
    localStorage.setItem("sandbox.emoji-note", "dismissed");
    $("emoji-note").hidden = true;
  });
  $("thread-close").addEventListener("click", () => {
    ui.thread = "";
    refresh();
  });
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => openChannel(ui.channel, tab.dataset.tab));
  }
  $("advance").addEventListener("click", async () => {
    await act({ type: "advance" });
    // The board was drawn at the old time: open it again, as someone coming back to it would.
    if (ui.tab === "home") act({ type: "home" });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && ui.state?.modal) act({ type: "close", view_id: ui.state.modal.id });
  });
  refresh();
  setInterval(refresh, POLL_MS);
}

start();
