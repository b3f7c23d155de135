// Slack mrkdwn to DOM nodes, safely: text always goes through textContent, never innerHTML.

const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&" };

export function decode(text) {
  return String(text).replace(/&(lt|gt|amp);/g, (entity) => ENTITIES[entity]);
}

// The :shortcodes: ritualbot and people use most; Slack draws them as emoji, so does the page.
// Unknown ones stay as typed, as Slack shows a code it does not know.
const EMOJI = {
  "+1": "👍", "-1": "👎", arrow_forward: "▶️", bar_chart: "📊", boom: "💥", bulb: "💡",
  calendar: "📆", chart_with_downwards_trend: "📉", chart_with_upwards_trend: "📈",
  clipboard: "📋", eyes: "👀", fire: "🔥", heavy_check_mark: "✔️", heavy_minus_sign: "➖",
  hourglass: "⌛", hourglass_flowing_sand: "⏳", mag: "🔍", memo: "📝", no_entry: "⛔",
  pushpin: "📌", raised_hands: "🙌", rocket: "🚀", scissors: "✂️", sparkles: "✨", tada: "🎉",
  thinking_face: "🤔", thumbsup: "👍", twisted_rightwards_arrows: "🔀", warning: "⚠️",
  white_check_mark: "✅", x: "❌", zzz: "💤",
};

function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (code, name) => EMOJI[name] ?? code);
}

// Text as a person reads it: entities decoded, known :emoji: drawn.
function words(text) {
  return emoji(decode(text));
}

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

function safeUrl(url) {
  return /^https?:\/\//i.test(url) ? url : null;
}

// <@U123>, <#C123|name>, <!here>, <!date^…|fallback>, <https://…|label>
function angle(token, ctx) {
  const [target, label] = splitOnce(token, "|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", "mention", ["@" + (label || ctx.userName(id))]);
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return el("span", "mention", ["#" + (label || ctx.channelName(id))]);
  }
  if (target.startsWith("!date^")) {
    const [, epoch, format] = target.split("^");
    const shown = slackDate(Number(epoch), decode(format || ""), ctx);
    const node = el("time", "slack-date", [shown ?? decode(label)]);
    node.dateTime = new Date(Number(epoch) * 1000).toISOString();
    return node;
  }
  if (target.startsWith("!")) {
    const special = target.slice(1).split("^")[0];
    return el("span", "mention", [label ? decode(label) : "@" + special]);
  }
  const url = safeUrl(decode(target));
  if (!url) return document.createTextNode(decode(label || target));
  const link = el("a", "", [decode(label || target)]);
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  return link;
}

// A <!date^…> token as Slack shows it to this reader: in their own timezone (ctx.tz), with
// today/yesterday/tomorrow counted from sandbox time (ctx.now). null (show the fallback) when
// the epoch or a token is not one Slack knows.
function slackDate(epoch, format, ctx) {
  if (!Number.isFinite(epoch) || !format) return null;
  const at = new Date(epoch * 1000);
  const timeZone = ctx.tz || "UTC";
  const part = (options) => at.toLocaleString("en-US", { timeZone, ...options });
  const dayOf = (when) => when.toLocaleDateString("en-CA", { timeZone }); // 2026-11-30
  const nth = (n) => n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
  const relative = () => {
    const days = (Date.parse(dayOf(at)) - Date.parse(dayOf(new Date(ctx.now || Date.now())))) / 86400000;
    return { "-1": "yesterday", 0: "today", 1: "tomorrow" }[days];
  };
  const date = () => `${part({ month: "long" })} ${nth(Number(part({ day: "numeric" })))}, ${part({ year: "numeric" })}`;
  const tokens = {
    date_num: () => dayOf(at),
    date: date,
    date_short: () => part({ month: "short", day: "numeric", year: "numeric" }),
    date_long: () => `${part({ weekday: "long" })}, ${date()}`,
    time: () => part({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
    time_secs: () => part({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
  };
  for (const base of ["date", "date_short", "date_long"]) tokens[base + "_pretty"] = () => relative() ?? tokens[base]();
  let known = true;
  const shown = format.replace(/\{(\w+)\}/g, (token, name) => {
    if (!tokens[name]) known = false;
    return tokens[name] ? tokens[name]() : token;
  });
  return known ? shown : null;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

const INLINE = /<([^<>\n]+)>|`([^`\n]+)`|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])|(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])/g;

function inline(text, ctx, into) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) into.append(words(text.slice(last, match.index)));
    const [, link, code, bold, italic, strike] = match;
    if (link !== undefined) into.append(angle(link, ctx));
    else if (code !== undefined) into.append(el("code", "", [decode(code)]));
    else if (bold !== undefined) inline(bold, ctx, into.appendChild(el("b")));
    else if (italic !== undefined) inline(italic, ctx, into.appendChild(el("i")));
    else inline(strike, ctx, into.appendChild(el("s")));
    last = match.index + match[0].length;
  }
  if (last < text.length) into.append(words(text.slice(last)));
}

function lines(text, ctx, into) {
  let quote = null;
  text.split("\n").forEach((line, index) => {
    const quoted = /^(&gt;|>) ?/.exec(line);
    if (quoted) {
      if (!quote) quote = into.appendChild(el("blockquote"));
      else quote.append(el("br"));
      inline(line.slice(quoted[0].length), ctx, quote);
      return;
    }
    quote = null;
    if (index > 0 && into.lastChild && into.lastChild.nodeName !== "BLOCKQUOTE") into.append(el("br"));
    inline(line, ctx, into);
  });
}

// The mrkdwn of a text object as a <span>; ```blocks``` are preformatted, untouched.
export function mrkdwn(text, ctx) {
  const root = el("span", "mrkdwn");
  String(text ?? "")
    .split(/```/)
    .forEach((part, index) => {
      if (index % 2 === 1) root.append(el("pre", "", [decode(part.replace(/^\n/, ""))]));
      else lines(part, ctx, root);
    });
  return root;
}

export function plain(text) {
  return el("span", "plain", [words(text ?? "")]);
}
