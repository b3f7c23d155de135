// Block Kit to DOM, for messages, modals and App Home. Every element carries the ids the app
// sent (data-action-id, data-block-id, data-value) and, in a view, a reader for its state.
//
// ctx: { userName(id), channelName(id), users: [...], channels: [...], act(action) -> Promise,
//        inputs: [] (filled with readers when rendering a view's input blocks),
//        suggest(query) -> Promise of the app's options, or null (in a modal only) }

import { mrkdwn, plain } from "./mrkdwn.js";

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

export function textObject(text, ctx) {
  if (!text) return el("span");
  return text.type === "mrkdwn" ? mrkdwn(text.text, ctx) : plain(text.text);
}

function optionText(option) {
  return option?.text?.text ?? "";
}

function allOptions(element) {
  if (element.option_groups) return element.option_groups.flatMap((group) => group.options || []);
  return element.options || [];
}

function imageElement(element) {
  const image = el("img", "bk-image-element");
  const url = element.image_url || element.slack_file?.url || (element.slack_file?.id && `/files/${element.slack_file.id}`);
  if (url && /^(https?:\/\/|\/files\/)/.test(url)) image.src = url;
  image.alt = element.alt_text || "";
  return image;
}

function tag(node, element, blockId) {
  node.dataset.actionId = element.action_id || "";
  node.dataset.blockId = blockId || "";
  node.dataset.type = element.type;
  return node;
}

// ---- interactive elements

function button(element, blockId, ctx) {
  if (element.url && /^https?:\/\//i.test(element.url)) {
    const link = el("a", `bk-button ${element.style || ""}`, [plain(element.text?.text)]);
    link.href = element.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return tag(link, element, blockId);
  }
  const node = tag(el("button", `bk-button ${element.style || ""}`, [plain(element.text?.text)]), element, blockId);
  node.type = "button";
  if (element.value !== undefined) node.dataset.value = element.value;
  node.addEventListener("click", () => {
    if (element.confirm && !window.confirm(confirmText(element.confirm))) return;
    ctx.act({ action_id: element.action_id, block_id: blockId, value: element.value });
  });
  return node;
}

function confirmText(confirm) {
  return [confirm.title?.text, confirm.text?.text].filter(Boolean).join("\n\n");
}

function staticSelect(element, blockId, ctx, { inView }) {
  const multi = element.type.startsWith("multi_");
  const select = tag(el("select", "bk-select"), element, blockId);
  select.multiple = multi;
  if (!multi) select.append(new Option(element.placeholder?.text || "Choose…", ""));
  const chosen = new Set(
    (multi ? element.initial_options || [] : [element.initial_option].filter(Boolean)).map((o) => o.value),
  );
  const addOptions = (into, options) => {
    for (const option of options || []) {
      const node = new Option(optionText(option), option.value, false, chosen.has(option.value));
      into.append(node);
    }
  };
  if (element.option_groups) {
    for (const group of element.option_groups) {
      const node = document.createElement("optgroup");
      node.label = group.label?.text || "";
      addOptions(node, group.options);
      select.append(node);
    }
  } else addOptions(select, element.options);
  const byValue = new Map(allOptions(element).map((o) => [o.value, o]));
  const read = () => {
    const picked = [...select.selectedOptions].map((o) => byValue.get(o.value)).filter(Boolean);
    return multi ? { selected_options: picked } : { selected_option: picked[0] || null };
  };
  wire(select, element, blockId, ctx, { inView, read });
  return { node: select, read };
}

// A type-ahead menu (external_select): what is typed goes to the app as Slack's
// block_suggestion (ctx.suggest, in a modal) and the options it answers are listed to pick
// from. As in Slack, it asks once min_query_length characters are typed (3 unless it says),
// and what was picked stays listed while other searches come and go.
function externalSelect(element, blockId, ctx, { inView }) {
  const multi = element.type.startsWith("multi_");
  const query = el("input", "bk-input bk-type-ahead-query");
  query.type = "search";
  query.placeholder = element.placeholder?.text || "Type to search…";
  query.setAttribute("aria-label", "Search the options");
  const select = tag(el("select", "bk-select"), element, blockId);
  select.multiple = multi;
  const initial = multi ? element.initial_options || [] : [element.initial_option].filter(Boolean);
  const known = new Map(initial.map((o) => [o.value, o]));
  const show = (loaded, picked) => {
    const listed = new Set(allOptions(loaded).map((o) => o.value));
    const option = (o) => new Option(optionText(o), o.value, false, picked.has(o.value));
    select.replaceChildren();
    if (!multi) select.append(new Option("Choose…", ""));
    for (const value of picked) if (!listed.has(value)) select.append(option(known.get(value)));
    for (const group of loaded.option_groups || [{ options: loaded.options || [] }]) {
      const into = group.label ? document.createElement("optgroup") : select;
      if (group.label) into.label = group.label.text || "";
      for (const o of group.options || []) into.append(option(o));
      if (into !== select) select.append(into);
    }
    if (loaded.searched && listed.size === 0) {
      const none = new Option("No results", "");
      none.disabled = true;
      select.append(none);
    }
  };
  show({ options: [] }, new Set(known.keys()));
  let asked = 0;
  let timer;
  const load = async () => {
    const typed = query.value;
    if (!ctx.suggest || typed.length < (element.min_query_length ?? 3)) return;
    const ticket = ++asked;
    const loaded = await ctx.suggest({ action_id: element.action_id, block_id: blockId, value: typed });
    if (!loaded || ticket !== asked) return; // refused, or an answer to an older search
    for (const o of allOptions(loaded)) known.set(o.value, o);
    show({ ...loaded, searched: true }, new Set([...select.selectedOptions].map((o) => o.value).filter(Boolean)));
  };
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  // Opening the menu lists options before anything is typed, when min_query_length allows.
  for (const node of [query, select]) node.addEventListener("focus", () => asked || load(), { once: true });
  const read = () => {
    const picked = [...select.selectedOptions].map((o) => known.get(o.value)).filter(Boolean);
    return multi ? { selected_options: picked } : { selected_option: picked[0] || null };
  };
  wire(select, element, blockId, ctx, { inView, read });
  return { node: el("div", "bk-type-ahead", [query, select]), read };
}

function userSelect(element, blockId, ctx, { inView }) {
  const multi = element.type.startsWith("multi_");
  const select = tag(el("select", "bk-select"), element, blockId);
  select.multiple = multi;
  if (!multi) select.append(new Option(element.placeholder?.text || "Choose a person…", ""));
  const chosen = new Set(multi ? element.initial_users || [] : [element.initial_user]);
  for (const user of ctx.users.filter((u) => !u.is_bot)) {
    select.append(new Option(`${user.real_name} (@${user.name})`, user.id, false, chosen.has(user.id)));
  }
  const read = () => {
    const picked = [...select.selectedOptions].map((o) => o.value).filter(Boolean);
    return multi ? { selected_users: picked } : { selected_user: picked[0] || null };
  };
  wire(select, element, blockId, ctx, { inView, read });
  return { node: select, read };
}

function conversationSelect(element, blockId, ctx, { inView }) {
  const multi = element.type.startsWith("multi_");
  const kind = element.type.replace("multi_", "").replace("_select", "");
  const select = tag(el("select", "bk-select"), element, blockId);
  select.multiple = multi;
  if (!multi) select.append(new Option(element.placeholder?.text || "Choose a channel…", ""));
  const initial = multi
    ? element.initial_conversations || element.initial_channels || []
    : [element.initial_conversation || element.initial_channel];
  const chosen = new Set(initial);
  for (const channel of ctx.channels.filter((c) => c.kind !== "im")) {
    select.append(new Option("#" + channel.name, channel.id, false, chosen.has(channel.id)));
  }
  const key = kind === "channels" ? "channel" : "conversation";
  const read = () => {
    const picked = [...select.selectedOptions].map((o) => o.value).filter(Boolean);
    return multi ? { [`selected_${key}s`]: picked } : { [`selected_${key}`]: picked[0] || null };
  };
  wire(select, element, blockId, ctx, { inView, read });
  return { node: select, read };
}

function overflow(element, blockId, ctx) {
  const select = tag(el("select", "bk-overflow"), element, blockId);
  select.title = "More actions";
  select.append(new Option("⋯", ""));
  for (const option of element.options || []) select.append(new Option(optionText(option), option.value));
  const byValue = new Map((element.options || []).map((o) => [o.value, o]));
  select.addEventListener("change", () => {
    const option = byValue.get(select.value);
    select.value = "";
    if (option) ctx.act({ action_id: element.action_id, block_id: blockId, selected_option: option });
  });
  return { node: select, read: () => ({}) };
}

function picker(element, blockId, ctx, { inView }) {
  const kinds = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local" };
  const input = tag(el("input", "bk-input"), element, blockId);
  input.type = kinds[element.type];
  if (element.type === "datepicker" && element.initial_date) input.value = element.initial_date;
  if (element.type === "timepicker" && element.initial_time) input.value = element.initial_time;
  if (element.type === "datetimepicker" && element.initial_date_time) {
    input.value = new Date(element.initial_date_time * 1000).toISOString().slice(0, 16);
  }
  const read = () => {
    if (element.type === "datepicker") return { selected_date: input.value || null };
    if (element.type === "timepicker") return { selected_time: input.value || null };
    return { selected_date_time: input.value ? Math.floor(Date.parse(input.value + "Z") / 1000) : null };
  };
  wire(input, element, blockId, ctx, { inView, read });
  return { node: input, read };
}

function textInput(element, blockId, ctx) {
  const multiline = element.type === "plain_text_input" && element.multiline;
  const input = tag(el(multiline ? "textarea" : "input", "bk-input"), element, blockId);
  if (!multiline) {
    const kinds = { number_input: "number", email_text_input: "email", url_text_input: "url" };
    input.type = kinds[element.type] || "text";
    if (element.type === "number_input") {
      input.step = element.is_decimal_allowed ? "any" : "1";
      if (element.min_value !== undefined) input.min = element.min_value;
      if (element.max_value !== undefined) input.max = element.max_value;
    }
  } else input.rows = 3;
  if (element.max_length) input.maxLength = element.max_length;
  if (element.placeholder) input.placeholder = element.placeholder.text;
  if (element.initial_value !== undefined) input.value = element.initial_value;
  return { node: input, read: () => ({ value: input.value === "" ? null : input.value }) };
}

function choices(element, blockId, ctx, { inView }) {
  const radio = element.type === "radio_buttons";
  const box = tag(el("div", "bk-choices"), element, blockId);
  const name = `${blockId}-${element.action_id}-${Math.random().toString(36).slice(2)}`;
  const initial = new Set(
    (radio ? [element.initial_option].filter(Boolean) : element.initial_options || []).map((o) => o.value),
  );
  const inputs = [];
  for (const option of element.options || []) {
    const input = el("input");
    input.type = radio ? "radio" : "checkbox";
    input.name = name;
    input.value = option.value;
    input.checked = initial.has(option.value);
    inputs.push([input, option]);
    const label = el("label", "bk-choice", [input, " ", textObject(option.text, ctx)]);
    if (option.description) label.append(el("span", "bk-choice-description", [textObject(option.description, ctx)]));
    box.append(label);
  }
  const read = () => {
    const picked = inputs.filter(([input]) => input.checked).map(([, option]) => option);
    return radio ? { selected_option: picked[0] || null } : { selected_options: picked };
  };
  box.addEventListener("change", () => {
    if (!inView) ctx.act({ action_id: element.action_id, block_id: blockId, selected: read() });
  });
  return { node: box, read };
}

// A select or picker in a message or an actions block fires at once; in an input block it
// waits for the submit (unless the block asks for dispatch_action).
function wire(node, element, blockId, ctx, { inView, read }) {
  if (inView) return;
  node.addEventListener("change", () => {
    const picked = read();
    const action = { action_id: element.action_id, block_id: blockId, selected: picked };
    if (picked.selected_option) action.selected_option = picked.selected_option;
    ctx.act(action);
  });
}

const ELEMENTS = {
  button: (e, b, ctx) => ({ node: button(e, b, ctx), read: () => ({}) }),
  static_select: staticSelect,
  multi_static_select: staticSelect,
  external_select: externalSelect,
  multi_external_select: externalSelect,
  users_select: userSelect,
  multi_users_select: userSelect,
  conversations_select: conversationSelect,
  multi_conversations_select: conversationSelect,
  channels_select: conversationSelect,
  multi_channels_select: conversationSelect,
  overflow: overflow,
  datepicker: picker,
  timepicker: picker,
  datetimepicker: picker,
  plain_text_input: textInput,
  number_input: textInput,
  email_text_input: textInput,
  url_text_input: textInput,
  checkboxes: choices,
  radio_buttons: choices,
  image: (e) => ({ node: imageElement(e), read: () => ({}) }),
};

export function element(element, blockId, ctx, options = { inView: false }) {
  const make = ELEMENTS[element.type];
  if (!make) return { node: el("span", "bk-unsupported", [`[${element.type}]`]), read: () => ({}) };
  return make(element, blockId, ctx, options);
}

// ---- blocks

function header(block) {
  return el("h3", "bk-header", [plain(block.text?.text)]);
}

function section(block, ctx, options) {
  const node = el("div", "bk-section");
  const body = node.appendChild(el("div", "bk-section-body"));
  if (block.text) body.append(el("div", "bk-section-text", [textObject(block.text, ctx)]));
  if (block.fields?.length) {
    body.append(el("div", "bk-fields", block.fields.map((field) => el("div", "bk-field", [textObject(field, ctx)]))));
  }
  if (block.accessory) {
    const made = element(block.accessory, block.block_id, ctx, { inView: false });
    node.append(el("div", "bk-accessory", [made.node]));
  }
  return node;
}

function context(block, ctx) {
  return el(
    "div",
    "bk-context",
    (block.elements || []).map((item) => (item.type === "image" ? imageElement(item) : textObject(item, ctx))),
  );
}

function image(block, ctx) {
  const figure = el("figure", "bk-image");
  if (block.title) figure.append(el("figcaption", "", [plain(block.title.text)]));
  figure.append(imageElement(block));
  return figure;
}

function actions(block, ctx) {
  return el(
    "div",
    "bk-actions",
    (block.elements || []).map((item) => element(item, block.block_id, ctx, { inView: false }).node),
  );
}

function input(block, ctx) {
  const node = el("div", "bk-input-block");
  node.dataset.blockId = block.block_id || "";
  const label = el("label", "bk-label", [plain(block.label?.text)]);
  if (block.optional) label.append(el("span", "bk-optional", [" (optional)"]));
  node.append(label);
  const made = element(block.element || {}, block.block_id, ctx, { inView: !block.dispatch_action });
  label.htmlFor = made.node.id = `input-${block.block_id}`;
  node.append(made.node);
  if (block.hint) node.append(el("div", "bk-hint", [plain(block.hint.text)]));
  node.append(el("div", "bk-error"));
  ctx.inputs?.push({ block_id: block.block_id, element: block.element, read: made.read, node });
  return node;
}

function richText(block, ctx) {
  const text = [];
  const walk = (items) => {
    for (const item of items || []) {
      if (item.type === "text") text.push(item.text);
      else if (item.type === "link") text.push(item.text || item.url);
      else if (item.type === "user") text.push("@" + ctx.userName(item.user_id));
      else if (item.elements) walk(item.elements);
    }
  };
  walk(block.elements);
  return el("div", "bk-rich-text", [text.join("")]);
}

const BLOCKS = {
  header,
  section,
  context,
  divider: () => el("hr", "bk-divider"),
  image,
  actions,
  input,
  rich_text: richText,
};

// The blocks of a message, modal or Home view; ctx.act receives each action with its block id.
export function renderBlocks(blocks, ctx) {
  const root = el("div", "bk-blocks");
  for (const block of blocks || []) {
    const make = BLOCKS[block.type];
    const node = make ? make(block, ctx) : el("div", "bk-unsupported", [`[unsupported block: ${block.type}]`]);
    node.classList.add("bk-block");
    node.dataset.blockType = block.type;
    if (block.block_id) node.dataset.blockId = block.block_id;
    root.append(node);
  }
  return root;
}

// What a view's inputs hold, shaped as Slack's view.state.values.
export function stateValues(inputs) {
  const values = {};
  for (const { block_id, element, read } of inputs) {
    if (!element?.action_id && !block_id) continue;
    values[block_id] = { [element.action_id]: { type: element.type, ...read() } };
  }
  return values;
}
