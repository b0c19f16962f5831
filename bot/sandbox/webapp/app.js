// The sandbox web chat: persona picker, chat columns and one live event stream per page.
// Plain JavaScript, no build step. Bot HTML arrives sanitised by the server (only Telegram's
// tags); everything else is put in the page as text.
"use strict";

const state = { personas: new Map(), chats: new Map(), stream: null, botName: "the bot" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

function postJson(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatTime(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// --- one persona's chat column --------------------------------------------------------------

class ChatColumn {
  constructor(persona) {
    this.persona = persona;
    this.messages = new Map();
    this.keyboard = null;
    this.keyboardHidden = false;
    this.typingTimer = null;
    const root = document.getElementById("chat-template").content.firstElementChild.cloneNode(true);
    this.root = root;
    root.dataset.persona = persona.id;
    root.setAttribute("aria-label", `Chat of ${persona.label}`);
    root.querySelector(".avatar").textContent = persona.name.slice(0, 1).toUpperCase();
    root.querySelector(".chat-name").textContent = persona.label;
    root.querySelector(".persona-label").textContent = `chat with ${state.botName}`;
    root.querySelector(".tab-link").href = `/?persona=${persona.id}`;
    this.list = root.querySelector(".messages");
    this.pinned = true; // follow new messages while the list is scrolled to the bottom
    this.list.addEventListener("scroll", () => {
      if (this.list.scrollTop === this.autoScrollTop) return; // our own scrollDown()
      this.pinned = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    });
    new ResizeObserver(() => { if (this.pinned) this.scrollDown(); }).observe(this.list);
    this.input = root.querySelector(".text-input");
    root.querySelector(".close").addEventListener("click", () => closeChat(persona.id));
    root.querySelector(".composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendText(this.input.value);
    });
    this.input.addEventListener("keydown", (event) => {  // Enter sends; Shift+Enter: a new line
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendText(this.input.value);
      }
    });
    this.input.addEventListener("input", () => this.fitInput());
    root.querySelector(".file-input").addEventListener("change", (event) => this.sendFile(event.target));
    root.querySelector(".menu-button").addEventListener("click", () => {
      const menu = root.querySelector(".commands");
      menu.hidden = !menu.hidden;
    });
    root.querySelector(".keyboard-toggle").addEventListener("click", () => {
      this.keyboardHidden = !this.keyboardHidden;
      this.renderKeyboard();
    });
    root.querySelector(".alert-ok").addEventListener("click", () => {
      root.querySelector(".alert").hidden = true;
    });
    this.list.addEventListener("click", (event) => {
      const spoiler = event.target.closest(".tg-spoiler");
      if (spoiler) spoiler.classList.add("revealed");
    });
  }

  showError(text) {
    const box = this.root.querySelector(".error");
    box.textContent = text;
    box.hidden = !text;
  }

  async run(action) {
    try {
      this.showError("");
      await action();
    } catch (problem) {
      this.showError(problem.message);
    }
  }

  fitInput() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
  }

  sendText(text) {
    const trimmed = text.trim();
    if (!trimmed) return;
    this.input.value = "";
    this.fitInput();
    this.root.querySelector(".commands").hidden = true;
    this.run(() => postJson(`/api/chats/${this.persona.id}/messages`, { text: trimmed }));
  }

  sendFile(input) {
    const file = input.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file, file.name);
    const caption = this.input.value.trim();
    if (caption) form.append("caption", caption);
    this.input.value = "";
    input.value = "";
    this.run(() => api(`/api/chats/${this.persona.id}/files`, { method: "POST", body: form }));
  }

  press(body) {
    this.run(() => postJson(`/api/chats/${this.persona.id}/press`, body));
  }

  // Put a message (new or a new version) in its place, ordered by message id.
  upsert(message) {
    const old = this.messages.get(message.id);
    if (message.deleted) {
      if (old) old.remove();
      this.messages.delete(message.id);
      return;
    }
    const node = this.renderMessage(message);
    if (old) {
      old.replaceWith(node);
    } else {
      const later = [...this.messages.entries()].filter(([id]) => id > message.id).sort((a, b) => a[0] - b[0]);
      this.list.insertBefore(node, later.length ? later[0][1] : null);
    }
    this.messages.set(message.id, node);
    if (message.from === "bot") this.setTyping(false);
    if (this.pinned || message.from === "user") this.scrollDown();
  }

  scrollDown() {
    this.list.scrollTop = this.list.scrollHeight;
    this.autoScrollTop = this.list.scrollTop;
    this.pinned = true;
  }

  renderMessage(message) {
    const node = el("div", `msg ${message.from}`);
    node.dataset.id = message.id;
    const bubble = el("div", "bubble");
    if (message.photo) {
      const img = el("img", "photo");
      img.src = message.photo.url;
      img.alt = "photo";
      img.addEventListener("load", () => { if (this.pinned) this.scrollDown(); }, { once: true });
      bubble.append(img);
    }
    if (message.document) bubble.append(this.renderDocument(message.document));
    if (message.note) bubble.append(el("div", "note", `[${message.note}]`));
    const text = el("div", "text");
    text.innerHTML = message.html; // sanitised by the server: Telegram's tags only
    bubble.append(text);
    bubble.append(el("div", "meta", `${message.edited ? "edited " : ""}${formatTime(message.date)}`));
    node.append(bubble);
    if (message.buttons.length) node.append(this.renderInlineKeyboard(message));
    return node;
  }

  renderDocument(doc) {
    const wrap = el("div", "document");
    if (doc.mime === "image/png") {
      const img = el("img", "photo");
      img.src = doc.url;
      img.alt = doc.name;
      wrap.append(img);
    }
    const link = el("a", "file");
    link.href = `${doc.url}?download=1`;
    link.download = doc.name;
    link.append(el("span", "file-icon", "⬇"));
    const info = el("span", "file-info");
    info.append(el("div", "file-name", doc.name), el("div", "file-size", `${formatSize(doc.size)} · ${doc.mime}`));
    link.append(info);
    wrap.append(link);
    return wrap;
  }

  renderInlineKeyboard(message) {
    const keyboard = el("div", "inline-keyboard");
    for (const row of message.buttons) {
      const line = el("div", "row");
      for (const button of row) {
        if (button.url) {
          const link = el("a", "", button.text);
          link.href = button.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          line.append(link);
        } else {
          const press = el("button", "", button.text);
          press.type = "button";
          if (button.data === undefined) press.disabled = true;
          press.addEventListener("click", () => this.press({ message_id: message.id, data: button.data }));
          line.append(press);
        }
      }
      keyboard.append(line);
    }
    return keyboard;
  }

  setKeyboard(keyboard) {
    const changed = JSON.stringify(keyboard) !== JSON.stringify(this.keyboard);
    this.keyboard = keyboard;
    if (changed) this.keyboardHidden = false;
    this.renderKeyboard();
  }

  renderKeyboard() {
    const box = this.root.querySelector(".reply-keyboard");
    const toggle = this.root.querySelector(".keyboard-toggle");
    box.replaceChildren();
    this.input.placeholder = (this.keyboard && this.keyboard.placeholder) || "Message";
    toggle.hidden = !this.keyboard;
    box.hidden = !this.keyboard || this.keyboardHidden;
    if (!this.keyboard) return;
    for (const row of this.keyboard.rows) {
      const line = el("div", "row");
      for (const text of row) {
        const press = el("button", "", text);
        press.type = "button";
        press.addEventListener("click", () => {
          if (this.keyboard.one_time) {
            this.keyboardHidden = true;
            this.renderKeyboard();
          }
          this.press({ text });
        });
        line.append(press);
      }
      box.append(line);
    }
  }

  setCommands(commands) {
    const menu = this.root.querySelector(".commands");
    menu.replaceChildren();
    for (const item of commands) {
      const choose = el("button");
      choose.type = "button";
      choose.append(el("span", "command", `/${item.command}`), el("span", "description", item.description));
      choose.addEventListener("click", () => this.sendText(`/${item.command}`));
      menu.append(choose);
    }
    this.root.querySelector(".menu-button").hidden = commands.length === 0;
  }

  notice(text, alert) {
    if (alert) {
      this.root.querySelector(".alert-text").textContent = text;
      this.root.querySelector(".alert").hidden = false;
      return;
    }
    const toast = this.root.querySelector(".toast");
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { toast.hidden = true; }, 2500);
  }

  setTyping(on) {
    this.root.querySelector(".typing").hidden = !on;
    clearTimeout(this.typingTimer);
    if (on) this.typingTimer = setTimeout(() => this.setTyping(false), 5000);
  }

  // A reconnect resends every chat: whatever it does not resend was deleted meanwhile.
  markStale() { this.stale = new Set(this.messages.keys()); }
  seen(id) { if (this.stale) this.stale.delete(id); }
  dropStale() {
    for (const id of this.stale || []) this.upsert({ id, deleted: true });
    this.stale = null;
  }
}

// --- the page: personas, open chats, the event stream -----------------------------------------

function renderPersonas() {
  const nav = document.getElementById("personas");
  nav.replaceChildren();
  for (const persona of state.personas.values()) {
    const chip = el("div", "persona");
    const open = el("button", "open", persona.label);
    open.type = "button";
    open.setAttribute("aria-pressed", String(state.chats.has(persona.id)));
    open.addEventListener("click", () => (state.chats.has(persona.id) ? closeChat(persona.id) : openChat(persona.id)));
    const tab = el("a", "tab", "↗");
    tab.href = `/?persona=${persona.id}`;
    tab.target = "_blank";
    tab.title = `Open ${persona.name} in a new tab`;
    chip.append(open, tab);
    nav.append(chip);
  }
}

function updateLayout() {
  document.getElementById("hint").hidden = state.chats.size > 0;
  const query = [...state.chats.keys()].map((id) => `persona=${id}`).join("&");
  history.replaceState(null, "", query ? `/?${query}` : "/");
  renderPersonas();
  connect();
}

function openChat(id) {
  const persona = state.personas.get(id);
  if (!persona || state.chats.has(id)) return;
  const column = new ChatColumn(persona);
  state.chats.set(id, column);
  document.getElementById("columns").append(column.root);
  updateLayout();
  column.input.focus();
}

function closeChat(id) {
  const column = state.chats.get(id);
  if (!column) return;
  column.root.remove();
  state.chats.delete(id);
  updateLayout();
}

function connect() {
  if (state.stream) state.stream.close();
  state.stream = null;
  if (state.chats.size === 0) return;
  const query = [...state.chats.keys()].map((id) => `chat=${id}`).join("&");
  const stream = new EventSource(`/api/stream?${query}`);
  const banner = document.getElementById("connection");
  const chatOf = (data) => state.chats.get(data.chat);
  stream.addEventListener("open", () => {
    for (const column of state.chats.values()) column.markStale();
  });
  stream.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const column = chatOf(message);
    if (column) { column.seen(message.id); column.upsert(message); }
  });
  stream.addEventListener("keyboard", (event) => {
    const data = JSON.parse(event.data);
    if (chatOf(data)) chatOf(data).setKeyboard(data.keyboard);
  });
  stream.addEventListener("commands", (event) => {
    const data = JSON.parse(event.data);
    if (chatOf(data)) chatOf(data).setCommands(data.commands);
  });
  stream.addEventListener("notice", (event) => {
    const data = JSON.parse(event.data);
    if (chatOf(data)) chatOf(data).notice(data.text, data.alert);
  });
  stream.addEventListener("action", (event) => {
    const data = JSON.parse(event.data);
    if (chatOf(data) && data.action === "typing") chatOf(data).setTyping(true);
  });
  stream.addEventListener("ready", () => {
    for (const column of state.chats.values()) column.dropStale();
    banner.hidden = true;
    document.body.dataset.live = "true";
  });
  stream.addEventListener("error", () => {
    document.body.dataset.live = "false";
    banner.textContent = "Connection to the sandbox lost; reconnecting… (is it still running?)";
    banner.hidden = false;
  });
  state.stream = stream;
}

function setUpNewPersonaForm() {
  const form = document.getElementById("new-persona");
  const error = document.getElementById("new-persona-error");
  document.getElementById("new-persona-toggle").addEventListener("click", () => {
    form.hidden = !form.hidden;
    if (!form.hidden) form.elements.name.focus();
  });
  document.getElementById("new-persona-cancel").addEventListener("click", () => { form.hidden = true; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const persona = await postJson("/api/personas", {
        name: form.elements.name.value,
        language: form.elements.language.value,
      });
      state.personas.set(persona.id, persona);
      form.reset();
      form.hidden = true;
      openChat(persona.id);
    } catch (problem) {
      error.textContent = problem.message;
    }
  });
}

async function start() {
  setUpNewPersonaForm();
  const listing = await api("/api/personas");
  state.botName = listing.bot.name;
  document.getElementById("bot-name").textContent = listing.bot.name;
  for (const persona of listing.personas) state.personas.set(persona.id, persona);
  const wanted = new URLSearchParams(location.search).getAll("persona").map(Number);
  for (const id of wanted) {
    const persona = state.personas.get(id);
    if (persona && !state.chats.has(id)) {
      const column = new ChatColumn(persona);
      state.chats.set(id, column);
      document.getElementById("columns").append(column.root);
    }
  }
  updateLayout();
}

start();
