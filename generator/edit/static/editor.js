// The editing page of clinic-pages: a form for each record of the data files, drawn from the description the
// server makes of the schema. Every change is checked by the server with the CLI's own rules (and text with the
// claims rules) as you type; Save writes only what changed.
(function () {
  "use strict";
  var TOKEN = document.querySelector('meta[name="clinic-pages-token"]').content;
  var API = "/__clinic-pages/edit/api/";
  var files = {};        // stem -> {form, files, version, data, problems}
  var forms = {};        // stem -> form description (object)
  var working = {};      // stem -> values being edited
  var origins = {};      // stem -> WeakMap(record -> index it had when loaded)
  var current = null;    // {stem, index} (index null: the file's own fields)
  var problems = [];     // of the last check of the current file
  var checkTimer = null, claimTimers = {};
  var checking = 0;

  function call(path, body) {
    var init = {method: body === undefined ? "GET" : "POST",
                headers: {"X-Clinic-Pages-Token": TOKEN, "Content-Type": "application/json"}};
    if (body !== undefined) { init.body = JSON.stringify(body); }
    return fetch(API + path, init).then(function (r) {
      return r.json().then(function (json) { return {status: r.status, body: json}; });
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "class") { node.className = attrs[k]; }
      else if (k.slice(0, 2) === "on") { node.addEventListener(k.slice(2), attrs[k]); }
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }

  function copy(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // The path of a value as the server's messages write it: treatments[3].faqs[0].answer
  function pathText(path) {
    var out = "";
    path.forEach(function (p) {
      out += typeof p === "number" ? "[" + p + "]" : (out ? "." + p : p);
    });
    return out;
  }

  function getAt(root, path) {
    var v = root;
    for (var i = 0; i < path.length; i++) { if (v === null || v === undefined) { return undefined; } v = v[path[i]]; }
    return v;
  }

  function setAt(root, path, value) {
    var v = root;
    for (var i = 0; i < path.length - 1; i++) {
      if (v[path[i]] === undefined || v[path[i]] === null) { v[path[i]] = typeof path[i + 1] === "number" ? [] : {}; }
      v = v[path[i]];
    }
    var last = path[path.length - 1];
    if (value === undefined) {
      if (Array.isArray(v)) { v[last] = undefined; } else { delete v[last]; }
    } else { v[last] = value; }
  }

  function recordsField(stem) {
    var fields = forms[stem].fields;
    for (var i = 0; i < fields.length; i++) { if (fields[i].kind === "records") { return fields[i]; } }
    return null;
  }

  function slugOf(record) {
    if (!record) { return ""; }
    if (typeof record.slug === "string" && record.slug) { return record.slug; }
    if (typeof record.id === "string" && record.id) { return record.id; }
    return (record.name || "").toString().toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/&/g, " and ").replace(/'/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  // -- loading ---------------------------------------------------------------------------------------------------

  function load(keep) {
    return call("state").then(function (res) {
      if (res.status !== 200) { document.getElementById("main").textContent = res.body.error; return; }
      files = res.body.files;
      forms = res.body.forms;
      Object.keys(files).forEach(function (stem) {
        working[stem] = copy(files[stem].data);
        origins[stem] = new WeakMap();
        var field = recordsField(stem);
        if (field && working[stem] && Array.isArray(working[stem][field.name])) {
          working[stem][field.name].forEach(function (r, i) { if (r && typeof r === "object") { origins[stem].set(r, i); } });
        }
      });
      if (!keep || !current) { current = {stem: "site", index: null}; }
      drawNav();
      drawMain();
      check();
    });
  }

  function dirty(stem) { return !same(working[stem], files[stem].data); }

  // -- navigation ------------------------------------------------------------------------------------------------

  var TITLES = {site: "The clinic", treatments: "Treatments", locations: "Areas"};
  var ADD = {treatments: "Add a treatment", locations: "Add an area"};

  function drawNav() {
    var nav = document.getElementById("nav");
    nav.textContent = "";
    ["site", "treatments", "locations"].forEach(function (stem) {
      nav.appendChild(el("h2", {text: TITLES[stem]}));
      var list = el("ul");
      nav.appendChild(list);
      if (files[stem].data === null) {
        list.appendChild(el("li", {text: files[stem].files.join(", ") + " cannot be read: fix it in a text editor first"}));
        return;
      }
      var field = recordsField(stem);
      function item(text, index, cls) {
        var isCurrent = current && current.stem === stem && current.index === index;
        list.appendChild(el("li", {}, [el("button", {type: "button", text: text, "class": cls || null,
          "aria-current": isCurrent ? "true" : null, "data-stem": stem,
          "data-index": index === null ? "" : String(index),
          onclick: function () { current = {stem: stem, index: index}; drawNav(); drawMain(); check(); }})]));
      }
      if (!field) { item("Details (" + files[stem].files[0] + ")", null); return; }
      (working[stem][field.name] || []).forEach(function (record, i) {
        item((record && (record.name || record.slug)) || "(new, no name yet)", i);
      });
      list.appendChild(el("li", {}, [el("button", {type: "button", "class": "add", text: ADD[stem],
        onclick: function () { addRecord(stem); }})]));
      if (forms[stem].fields.length > 1) { item("Other fields of " + files[stem].files[0], null); }
    });
  }

  function addRecord(stem) {
    var field = recordsField(stem);
    var list = working[stem][field.name] || (working[stem][field.name] = []);
    list.push({});
    current = {stem: stem, index: list.length - 1};
    drawNav();
    drawMain();
    var first = document.querySelector("#main input, #main textarea");
    if (first) { first.focus(); }
    check();
  }

  function removeRecord(stem, index) {
    var field = recordsField(stem);
    var record = working[stem][field.name][index];
    var name = (record && record.name) || "this record";
    if (!window.confirm("Remove " + name + "? Nothing is written until you press Save.")) { return; }
    working[stem][field.name].splice(index, 1);
    current = {stem: stem, index: null};
    if (working[stem][field.name].length) { current.index = Math.min(index, working[stem][field.name].length - 1); }
    drawNav();
    drawMain();
    check();
  }

  // -- the form --------------------------------------------------------------------------------------------------

  function drawMain() {
    var main = document.getElementById("main");
    main.textContent = "";
    var stem = current.stem;
    var file = files[stem];
    if (file.data === null) {
      main.appendChild(el("h2", {text: file.files.join(", ")}));
      file.problems.forEach(function (p) { main.appendChild(el("p", {"class": "problem", text: p.text})); });
      return;
    }
    var field = recordsField(stem);
    var note = el("p", {"class": "file-note", text: "Saved in " + file.files.join(", ") +
      (file.form === "yaml" ? "" : " (a spreadsheet)") + "."});
    if (field && current.index !== null) {
      var path = [field.name, current.index];
      var record = getAt(working[stem], path);
      main.appendChild(el("h2", {text: (record && record.name) || "New " + (stem === "locations" ? "area" : "treatment")}));
      main.appendChild(note);
      var actions = el("div", {"class": "record-actions"});
      var slug = slugOf(record);
      if (slug) {
        actions.appendChild(el("a", {href: stem === "locations" ? "/areas/" + slug + "/" : "/" + slug + "/",
          target: "clinic-pages-preview", text: "View its page"}));
      }
      actions.appendChild(el("button", {type: "button", "class": "danger", text: "Remove",
        onclick: function () { removeRecord(stem, current.index); }}));
      main.appendChild(actions);
      var container = el("div", {"data-path": pathText(path)});
      field.item.fields.forEach(function (f) { container.appendChild(drawField(stem, path.concat([f.name]), f)); });
      main.appendChild(container);
    } else {
      main.appendChild(el("h2", {text: stem === "site" ? "The clinic" : "Other fields of " + file.files[0]}));
      main.appendChild(note);
      var root = el("div", {"data-path": ""});
      forms[stem].fields.forEach(function (f) {
        if (!field || f.name !== field.name) { root.appendChild(drawField(stem, [f.name], f)); }
      });
      main.appendChild(root);
    }
    showProblems();
  }

  function changed(stem, path) {
    document.getElementById("notice").textContent = "";
    document.getElementById("save").disabled = true;
    document.getElementById("undo").disabled = false;
    var navButton = document.querySelector('#nav button[aria-current="true"]');
    var record = current.index !== null ? getAt(working[stem], [recordsField(stem).name, current.index]) : null;
    if (navButton && record && path.length === 3 && path[2] === "name") { navButton.textContent = record.name || "(new, no name yet)"; }
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, 350);
  }

  function labelFor(f, id) {
    return el("label", {"for": id}, [f.label + (f.required ? "" : " (optional)") + " ",
                                     el("span", {"class": "type", text: f.type})]);
  }

  var ids = 0;

  function drawField(stem, path, f) {
    var id = "f" + (ids++);
    var box = el("div", {"class": "field", "data-path": pathText(path), "data-field": f.name});
    var value = getAt(working[stem], path);
    var help = f.help ? el("p", {"class": "help", text: f.help + (f.default ? " Default: " + f.default.replace(/`/g, "") + "." : "")}) : null;
    if (f.kind === "object") {
      var set = el("fieldset", {"data-path": pathText(path)}, [el("legend", {text: f.label})]);
      if (help) { set.appendChild(help); }
      f.fields.forEach(function (sub) { set.appendChild(drawField(stem, path.concat([sub.name]), sub)); });
      box.appendChild(set);
      return box;
    }
    if (f.kind === "records") {
      var group = el("fieldset", {"data-path": pathText(path)}, [el("legend", {text: f.label})]);
      if (help) { group.appendChild(help); }
      (value || []).forEach(function (item, i) {
        var itemPath = path.concat([i]);
        var div = el("div", {"class": "item", "data-path": pathText(itemPath)});
        f.item.fields.forEach(function (sub) { div.appendChild(drawField(stem, itemPath.concat([sub.name]), sub)); });
        div.appendChild(el("div", {"class": "item-bar"}, [
          i > 0 ? el("button", {type: "button", text: "Move up", onclick: function () {
            var list = getAt(working[stem], path); var t = list[i - 1]; list[i - 1] = list[i]; list[i] = t;
            drawMain(); changed(stem, path); }}) : null,
          el("button", {type: "button", "class": "danger", text: "Remove", onclick: function () {
            var list = getAt(working[stem], path); list.splice(i, 1);
            if (!list.length) { setAt(working[stem], path, undefined); }
            drawMain(); changed(stem, path); }})]));
        group.appendChild(div);
      });
      group.appendChild(el("button", {type: "button", text: "Add " + f.label.toLowerCase().replace(/s$/, ""),
        onclick: function () {
          var list = getAt(working[stem], path);
          if (!Array.isArray(list)) { list = []; setAt(working[stem], path, list); }
          list.push({});
          drawMain(); changed(stem, path);
        }}));
      box.appendChild(group);
      return box;
    }
    if (f.kind === "map") {
      var mapSet = el("fieldset", {"data-path": pathText(path)}, [el("legend", {text: f.label})]);
      if (help) { mapSet.appendChild(help); }
      Object.keys(value || {}).forEach(function (key) {
        var div = el("div", {"class": "item", "data-path": pathText(path.concat([key]))});
        var keyInput = el("input", {type: "text", "class": "short", value: key, "aria-label": f.label + ": name"});
        keyInput.addEventListener("change", function () {
          var map = getAt(working[stem], path); var fresh = keyInput.value.trim();
          if (!fresh || fresh === key || map[fresh] !== undefined) { keyInput.value = key; return; }
          var out = {}; Object.keys(map).forEach(function (k) { out[k === key ? fresh : k] = map[k]; });
          setAt(working[stem], path, out); drawMain(); changed(stem, path);
        });
        div.appendChild(keyInput);
        var inner = f.value.kind === "object" ? f.value : {kind: f.value.kind, name: key, label: key, required: true,
          type: "", help: "", multiline: f.value.multiline, placeholder_ok: f.value.placeholder_ok, claims: f.value.claims,
          options: f.value.options};
        if (inner.kind === "object") {
          inner.fields.forEach(function (sub) { div.appendChild(drawField(stem, path.concat([key, sub.name]), sub)); });
        } else { div.appendChild(drawField(stem, path.concat([key]), inner)); }
        div.appendChild(el("div", {"class": "item-bar"}, [el("button", {type: "button", "class": "danger", text: "Remove",
          onclick: function () { var map = getAt(working[stem], path); delete map[key];
            if (!Object.keys(map).length) { setAt(working[stem], path, undefined); }
            drawMain(); changed(stem, path); }})]));
        mapSet.appendChild(div);
      });
      var newKey = el("input", {type: "text", "class": "short", placeholder: "new name", "aria-label": "New name for " + f.label});
      mapSet.appendChild(el("div", {}, [newKey, el("button", {type: "button", text: "Add", onclick: function () {
        var key = newKey.value.trim(); if (!key) { newKey.focus(); return; }
        var map = getAt(working[stem], path) || {};
        if (map[key] === undefined) { map[key] = f.value.kind === "object" ? {} : ""; }
        setAt(working[stem], path, map); drawMain(); changed(stem, path); }})]));
      box.appendChild(mapSet);
      return box;
    }
    box.appendChild(labelFor(f, id));
    if (help) { box.appendChild(help); }
    var input;
    function update(v) { setAt(working[stem], path, v); changed(stem, path); }
    if (f.kind === "boolean") {
      var defaultOn = /true/.test(f.default || "");
      input = el("input", {type: "checkbox", id: id, "data-input": pathText(path)});
      input.checked = value === undefined ? defaultOn : value === true;
      input.addEventListener("change", function () { update(input.checked === defaultOn && value === undefined ? undefined : input.checked); });
    } else if (f.kind === "choice") {
      input = el("select", {id: id, "data-input": pathText(path)}, [el("option", {value: "", text: f.required ? "Choose…" : "(none)"})]
        .concat(f.options.map(function (o) { return el("option", {value: o, text: o}); })));
      input.value = value === undefined ? "" : value;
      input.addEventListener("change", function () { update(input.value === "" ? undefined : input.value); });
    } else if (f.kind === "choices") {
      input = el("div", {"class": "choices", id: id, "data-input": pathText(path)});
      f.options.forEach(function (o) {
        var c = el("input", {type: "checkbox", value: o});
        c.checked = Array.isArray(value) && value.indexOf(o) >= 0;
        c.addEventListener("change", function () {
          var chosen = f.options.filter(function (x) { return input.querySelector('input[value="' + x + '"]').checked; });
          update(chosen.length ? chosen : undefined);
        });
        input.appendChild(el("label", {}, [c, " " + o]));
      });
    } else if (f.kind === "names") {
      input = el("input", {type: "text", id: id, "data-input": pathText(path), placeholder: "names separated by commas",
                           value: Array.isArray(value) ? value.join(", ") : (value === undefined ? "" : String(value))});
      input.addEventListener("input", function () {
        var items = input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
        update(items.length ? items : undefined);
      });
    } else if (f.kind === "number") {
      input = el("input", {type: "text", inputmode: "decimal", "class": "short", id: id, "data-input": pathText(path),
                           value: value === undefined ? "" : String(value)});
      input.addEventListener("input", function () {
        var t = input.value.trim();
        update(t === "" ? undefined : (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t));
      });
    } else {
      var isPlaceholder = value && typeof value === "object" && value.$placeholder !== undefined;
      var text = isPlaceholder ? value.$placeholder : (value === undefined ? "" : String(value));
      var long = f.multiline || text.length > 90 || text.indexOf("\n") >= 0;
      input = long ? el("textarea", {id: id, "data-input": pathText(path), rows: Math.min(14, 3 + Math.round(text.length / 90))})
                   : el("input", {type: "text", id: id, "data-input": pathText(path)});
      input.value = text;
      var toggle = null;
      if (f.placeholder_ok) {
        toggle = el("input", {type: "checkbox"});
        toggle.checked = !!isPlaceholder;
      }
      var read = function () {
        var t = input.value;
        if (t.trim() === "") { return undefined; }
        return toggle && toggle.checked ? {$placeholder: t} : t;
      };
      input.addEventListener("input", function () { update(read()); if (f.claims) { claims(input, box); } });
      if (toggle) {
        toggle.addEventListener("change", function () { update(read()); });
        box.appendChild(el("label", {"class": "placeholder-toggle"}, [toggle, " Not known yet: keep this as a placeholder (the label says what is missing; publishing waits for the real value)"]));
      }
      if (f.claims && text) { setTimeout(function () { claims(input, box); }, 0); }
      if (f.upload) {
        var picker = el("input", {type: "file", accept: "image/jpeg,image/png,image/webp,image/avif,image/gif",
                                  "aria-label": "Upload a picture for " + f.label});
        picker.addEventListener("change", function () {
          var file = picker.files[0];
          if (!file) { return; }
          var reader = new FileReader();
          reader.onload = function () {
            var data = String(reader.result).split(",")[1];
            call("upload", {name: file.name, data: data}).then(function (res) {
              if (res.status === 200) { input.value = res.body.src; update(res.body.src); }
              else { box.appendChild(el("p", {"class": "problem", text: res.body.error})); }
            });
          };
          reader.readAsDataURL(file);
        });
        box.appendChild(el("label", {"class": "placeholder-toggle"}, ["Upload a picture: ", picker]));
      }
    }
    box.insertBefore(input, help ? help.nextSibling : box.lastChild.nextSibling);
    return box;
  }

  // -- checks ----------------------------------------------------------------------------------------------------

  function claims(input, box) {
    var key = input.id;
    clearTimeout(claimTimers[key]);
    claimTimers[key] = setTimeout(function () {
      call("claims", {text: input.value}).then(function (res) {
        Array.prototype.forEach.call(box.querySelectorAll(":scope > .claim"), function (n) { n.remove(); });
        (res.body.findings || []).forEach(function (c) {
          box.appendChild(el("p", {"class": "claim", role: "note"}, [
            c.rule + ": " + c.message + (c.evidence ? " (" + c.evidence + ")" : ""),
            c.hint ? el("span", {"class": "hint", text: "Fix: " + c.hint}) : null]));
        });
      });
    }, 500);
  }

  function check() {
    var stem = current.stem;
    if (files[stem].data === null) { return; }
    var asked = ++checking;
    return call("validate", {file: stem, data: working[stem]}).then(function (res) {
      if (asked !== checking) { return; }
      problems = res.body.problems || [];
      showProblems();
    });
  }

  function findBox(field) {
    var path = field;
    while (true) {
      var node = document.querySelector('#main [data-path="' + CSS.escape(path) + '"]');
      if (node) { return node; }
      if (!path) { return null; }
      var cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      path = cut > 0 ? path.slice(0, cut) : "";
    }
  }

  function showProblems() {
    Array.prototype.forEach.call(document.querySelectorAll("#main .problem"), function (n) { n.remove(); });
    Array.prototype.forEach.call(document.querySelectorAll("#main .invalid"), function (n) { n.classList.remove("invalid"); });
    var stem = current.stem;
    var mine = problems.filter(function (p) { return p.file.split(".")[0] === stem; });
    var elsewhere = [];
    mine.forEach(function (p) {
      var box = findBox(p.field);
      if (box && box.closest("#main")) {
        box.classList.add("invalid");
        var note = el("p", {"class": "problem", role: "alert"}, [(box.getAttribute("data-path") === p.field ? "" : p.field + ": ") + p.message,
                                                                 p.hint ? el("span", {"class": "hint", text: "Fix: " + p.hint}) : null]);
        var input = box.querySelector(":scope > [data-input]");
        if (input && input.nextSibling) { box.insertBefore(note, input.nextSibling); } else { box.appendChild(note); }
      }
      if (!box || box.getAttribute("data-path") === "" || !document.querySelector("#main").contains(box) ||
          box.querySelector(":scope > .problem") === null) {
        elsewhere.push(p);
      }
    });
    problems.forEach(function (p) { if (mine.indexOf(p) < 0) { elsewhere.push(p); } });
    markNav();
    var summary = document.getElementById("checked");
    summary.textContent = "";
    var isDirty = dirty(stem);
    document.getElementById("save").disabled = !isDirty || problems.length > 0;
    document.getElementById("undo").disabled = !isDirty;
    if (problems.length) {
      summary.appendChild(el("strong", {"class": "bad", text: problems.length === 1 ? "1 problem to fix before saving"
        : problems.length + " problems to fix before saving"}));
      var list = el("ul");
      problems.slice(0, 12).forEach(function (p) {
        list.appendChild(el("li", {text: p.text.replace(/\n\s+hint: /, " — ")}));
      });
      summary.appendChild(list);
    } else if (isDirty) {
      summary.appendChild(el("span", {"class": "ok", text: "No problems found. Save writes " + files[stem].files.join(", ") + "."}));
    }
  }

  function markNav() {
    var field = recordsField(current.stem);
    Array.prototype.forEach.call(document.querySelectorAll("#nav button[data-stem]"), function (b) {
      var stem = b.getAttribute("data-stem"), index = b.getAttribute("data-index");
      var prefix = field && index !== "" ? field.name + "[" + index + "]" : null;
      var bad = stem === current.stem && problems.some(function (p) {
        return p.file.split(".")[0] === stem && prefix && (p.field === prefix || p.field.indexOf(prefix + ".") === 0 || p.field.indexOf(prefix + "[") === 0);
      });
      b.classList.toggle("has-problem", !!bad);
    });
  }

  // -- saving ----------------------------------------------------------------------------------------------------

  function save() {
    var stem = current.stem;
    var field = recordsField(stem);
    var body = {file: stem, data: working[stem], version: files[stem].version};
    if (field && Array.isArray(working[stem][field.name])) {
      body.origins = working[stem][field.name].map(function (r) {
        var i = r && typeof r === "object" ? origins[stem].get(r) : undefined;
        return i === undefined ? null : i;
      });
    }
    document.getElementById("save").disabled = true;
    var summary = document.getElementById("notice");
    summary.textContent = "Saving…";
    call("save", body).then(function (res) {
      summary.textContent = "";
      if (res.status === 200) {
        var written = res.body.written || [];
        waitingForBuild = true;
        summary.appendChild(el("span", {"class": "ok", text: written.length ? "Saved " + written.join(", ") +
          (res.body.backups.length ? " (the version before is in " + res.body.backups.join(", ") + ")" : "") +
          ". The preview is rebuilding…" : "Nothing to save: the file already says this."}));
        load(true);
      } else if (res.body.problems) {
        problems = res.body.problems;
        showProblems();
      } else {
        summary.appendChild(el("strong", {"class": "bad", text: res.body.error}));
      }
    });
  }

  document.getElementById("save").addEventListener("click", save);
  document.getElementById("undo").addEventListener("click", function () {
    working[current.stem] = copy(files[current.stem].data);
    load(true);
  });
  window.addEventListener("beforeunload", function (e) {
    if (Object.keys(files).some(dirty)) { e.preventDefault(); e.returnValue = ""; }
  });

  // -- the preview's state ---------------------------------------------------------------------------------------

  var waitingForBuild = false;
  function status(s) {
    var line = document.getElementById("preview-status");
    line.classList.toggle("bad", !!s.error);
    line.textContent = s.error ? "The preview could not rebuild: " + String(s.error).split("\n")[0]
                               : "Preview up to date (build " + s.version + ")";
    if (waitingForBuild && !s.error) {
      waitingForBuild = false;
      var summary = document.getElementById("notice");
      summary.appendChild(el("span", {"class": "ok", text: " The preview is up to date."}));
    }
  }
  fetch("/__clinic-pages/status").then(function (r) { return r.json(); }).then(function (s) {
    status(s);
    var source = new EventSource("/__clinic-pages/events");
    source.onmessage = function (e) { status(JSON.parse(e.data)); };
  }).catch(function () {});

  load(false);
})();
