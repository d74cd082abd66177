// PANDA微短剧: the search page (templates/search.html loads it after Sphinx's searchtools.js,
// language_data.js and the index, site/search.py).
//
// - The result message and headings in the reading mode's language(s), each half with its lang
//   (the markup of labels.bi_html; panda.css shows one or both), with the count and its plural.
// - A number in either language's form (203万, 2.03 million, 2,030,000, 2030000) becomes the
//   index's term for its value ("#2030000"), which each figure record puts there.
// - Snippets from the page's article only, without interface text (the classes and gap texts of
//   site/search.py, in data-panda-search), one per language, each with its lang.
// - Only the terms that matched a page are highlighted on it: each result link carries them
//   (?hl=), and Sphinx's own highlighter, which would carry every term of every search to the
//   next page, is given none (static/panda.js highlights).
// - A page must hold every word of the query (Sphinx lets a short word stand for a missing long one).
// No eval, no inline code: the Content-Security-Policy allows neither (csp.py).
(function () {
  "use strict";
  if (typeof Search === "undefined" || typeof splitQuery === "undefined") return;
  var settings = null;
  function skipped() {
    // read once the page is parsed: this script runs in <head>, before #search-results
    if (!settings) {
      var holder = document.getElementById("search-results");
      var config = JSON.parse((holder && holder.getAttribute("data-panda-search")) || "{}");
      settings = {
        selector: (config.skip || []).map(function (c) { return "." + c; })
          .concat(["script", "style", "button", "nav", "form", "[hidden]"]).join(", "),
        gaps: new Set(config.gaps || []),
      };
    }
    return settings;
  }
  var BLOCKS = "p, li, dt, dd, h1, h2, h3, h4, h5, h6, td, th, caption, figcaption, pre, blockquote, div, section";

  // ---- labels in both languages (labels.bi_html) -------------------------------------
  function bi(zh, en) {
    var frag = document.createDocumentFragment();
    var z = frag.appendChild(document.createElement("span"));
    z.lang = "zh-CN"; z.className = "bl-zh"; z.textContent = zh;
    var s = frag.appendChild(document.createElement("span"));
    s.className = "bl-sep"; s.setAttribute("aria-hidden", "true"); s.textContent = " · ";
    var e = frag.appendChild(document.createElement("span"));
    e.lang = "en"; e.className = "bl-en"; e.textContent = en;
    return frag;
  }

  function countMessage(n) {
    if (!n) {
      return ["没有找到相关页面。请检查拼写，或换个词再试。",
        "Your search did not match any page. Check the spelling, or try other words."];
    }
    return ["找到 " + n + " 个相关页面。", "Found " + n + (n === 1 ? " page." : " pages.")];
  }

  // ---- numbers -------------------------------------------------------------------------
  var SCALE = { "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5,
    "万": 1e4, "千": 1e3, trillion: 1e12, billion: 1e9, bn: 1e9, b: 1e9, million: 1e6, mn: 1e6, m: 1e6,
    thousand: 1e3, k: 1e3 };
  var NUMBER = /(?<![A-Za-z\d.,])((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:\s*(万亿|千亿|百亿|亿|千万|百万|十万|万|千)|\s*(trillion|billion|million|thousand|bn|mn|[bmk])(?![A-Za-z]))?(?![\d])/giu;

  function numberTerm(value) {
    // site/search.py's number_term: "#" and the value rounded to 6 places, in digits
    return "#" + String(Math.round(value * 1e6) / 1e6);
  }

  function fixed(x, places) { return String(Number(x.toFixed(places))); }

  function grouped(x) {
    var parts = fixed(x, 2).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  // The ways the issues write a value (newsletter/figures.py's format_zh and format_en)
  function numberForms(value) {
    var zh = value >= 1e12 ? fixed(value / 1e12, 4) + "万亿" : value >= 1e8 ? fixed(value / 1e8, 4) + "亿"
      : value >= 1e4 ? fixed(value / 1e4, 4) + "万" : fixed(value, 4);
    var en = value >= 1e12 ? fixed(value / 1e12, 3) + " trillion" : value >= 1e9 ? fixed(value / 1e9, 3) + " billion"
      : value >= 1e6 ? fixed(value / 1e6, 3) + " million" : grouped(value);
    return [zh, en, grouped(value)].filter(function (f, i, all) { return all.indexOf(f) === i; });
  }

  function known(term) {
    var index = Search._index || {};
    var has = Object.prototype.hasOwnProperty;
    return (index.terms && has.call(index.terms, term)) || (index.titleterms && has.call(index.titleterms, term));
  }

  // A number a figure record put in the index becomes its term; the rest of the query is split as before.
  var splitWords = splitQuery;
  splitQuery = function (query) {
    var numbers = [];
    var rest = query.normalize("NFKC").replace(NUMBER, function (whole, digits, zhScale, enScale) {
      var scale = zhScale || (enScale && enScale.toLowerCase());
      // the scale as a decimal exponent of the digits read as text: 32.02 * 1e8 in floating point is
      // 3202000000.000001, which matched no figure (the attack review: 875 of 9,999 values with 亿)
      var exponent = scale ? Math.round(Math.log10(SCALE[scale])) : 0;
      var term = numberTerm(Number(digits.replace(/,/g, "") + "e" + exponent));
      if (!known(term)) return whole;
      numbers.push(term);
      return " ";
    });
    return numbers.concat(splitWords(rest));
  };

  // ---- which terms matched which page -------------------------------------------------------
  function queryWords(query) {
    var stemmer = new Stemmer();
    var words = [];
    splitQuery(query.trim()).forEach(function (term) {
      var lower = term.toLowerCase();
      if (stopwords.indexOf(lower) !== -1 || /^\d+$/.test(term) || lower.charAt(0) === "-") return;
      var shown = lower.charAt(0) === "#" ? numberForms(Number(lower.slice(1))) : [lower];
      words.push({ word: stemmer.stemWord(lower), shown: shown });
    });
    return words;
  }

  function holds(files, doc) {
    return files !== undefined && (files === doc || (Array.isArray(files) && files.indexOf(doc) !== -1));
  }

  function matches(word, doc) {
    // as Sphinx's performTermsSearch: the word, or (3 letters or more) a term holding it
    var index = Search._index;
    var found = false;
    [index.terms, index.titleterms].forEach(function (terms) {
      if (found) return;
      if (Object.prototype.hasOwnProperty.call(terms, word)) { found = holds(terms[word], doc); return; }
      if (word.length > 2) {
        found = Object.keys(terms).some(function (t) { return t.indexOf(word) !== -1 && holds(terms[t], doc); });
      }
    });
    return found;
  }

  function termsFor(result, words) {
    var doc = Search._index.docnames.indexOf(result[0]);
    var hit = words.filter(function (w) { return matches(w.word, doc); });
    // a page found by its title holds the whole query
    var shown = [];
    (hit.length ? hit : words).forEach(function (w) { shown.push.apply(shown, w.shown); });
    return shown.filter(function (t, i) { return t && shown.indexOf(t) === i; });
  }

  function distinct(results) {
    // A page found by its words and by its title once (Sphinx names the second "title > title": the
    // index's page titles are HTML, its headings text); the best score is last.
    var titles = Search._index.titles;
    var docnames = Search._index.docnames;
    var seen = new Set();
    return results.reverse().filter(function (result) {
      var title = titles[docnames.indexOf(result[0])];
      if (!result[2] && title && result[1].indexOf(title + " > ") === 0) result[1] = title;
      var key = result[0] + result[2];
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }).reverse();
  }

  function withTerms(href, terms) {
    var cut = href.indexOf("#");
    var page = cut < 0 ? href : href.slice(0, cut);
    var anchor = cut < 0 ? "" : href.slice(cut);
    var query = terms.map(function (t) { return "hl=" + encodeURIComponent(t); }).join("&");
    return page + (page.indexOf("?") < 0 ? "?" : "&") + query + anchor;
  }

  // ---- the search ----------------------------------------------------------------------------
  var performSearch = Search.performSearch;
  Search.performSearch = function (query) {
    performSearch(query);
    Search.title.replaceChildren(bi("正在搜索", "Searching"), Search.dots);
    Search.status.setAttribute("role", "status");
  };

  // The results of a query, best last (Sphinx's order), each with the terms that matched its page.
  function find(query) {
    var parsed = Search._parseQuery(query);
    // Sphinx keeps every term for the next page it opens, matched or not; the links carry the matched ones
    try { localStorage.removeItem("sphinx_highlight_terms"); } catch (e) { /* private mode */ }
    var words = queryWords(query);
    // Every word of the query, as Sphinx asks for English words of 3 letters or more only: it takes
    // pages that hold a short word and lack a long one (成都 blockchain); the index holds words of two
    // characters and more (SearchChinese.word_filter), and most Chinese words are two characters.
    var docnames = Search._index.docnames;
    var required = words.filter(function (w) { return w.word.length > 1; });
    var results = distinct(Search._performSearch.apply(Search, parsed)).filter(function (result) {
      var doc = docnames.indexOf(result[0]);
      return required.every(function (w) { return matches(w.word, doc); });
    });
    return results.map(function (result) { return { result: result, terms: termsFor(result, words) }; });
  }

  Search.query = function (query) {
    var items = find(query);
    var count = items.length;
    function next() {
      if (!items.length) {
        Search.stopPulse();
        Search.title.replaceChildren(bi("搜索结果", "Search results"));
        var message = countMessage(count);
        Search.status.replaceChildren(bi(message[0], message[1]));
        return;
      }
      var item = items.pop();  // Sphinx's order: the best last
      _displayItem(item.result, item.terms, item.terms);
      var link = Search.output.lastElementChild && Search.output.lastElementChild.querySelector("a");
      if (link && item.terms.length) link.setAttribute("href", withTerms(link.getAttribute("href"), item.terms));
      setTimeout(next, 5);
    }
    setTimeout(next, 0);
  };

  // ---- snippets ---------------------------------------------------------------------------
  function languageOf(node, root) {
    var holder = node.parentElement && node.parentElement.closest("[lang]");
    var lang = holder && holder !== root ? holder.getAttribute("lang") : "";
    if (/^zh/i.test(lang)) return ["zh"];
    if (/^en/i.test(lang)) return ["en"];
    return /\p{Script=Han}/u.test(node.data) ? ["zh"] : ["zh", "en"];
  }

  function excerpt(text, keywords, before, length) {
    var lower = text.toLowerCase();
    var at = -1;
    keywords.forEach(function (k) {
      var i = lower.indexOf(String(k).toLowerCase());
      if (i !== -1 && (at === -1 || i < at)) at = i;
    });
    var start = Math.max(at - before, 0);
    return (start ? "…" : "") + text.substr(start, length).trim() + (start + length < text.length ? "…" : "");
  }

  Search.makeSearchSummary = function (htmlText, keywords, anchor) {
    var page = new DOMParser().parseFromString(htmlText, "text/html");
    var main = page.querySelector('[role="main"]');
    var scope = (anchor && main && main.querySelector(anchor)) || (main && main.querySelector("article")) || main;
    var out = document.createDocumentFragment();
    if (!scope) return out;
    var skip = skipped();
    scope.querySelectorAll(skip.selector).forEach(function (el) { el.remove(); });
    var text = { zh: "", en: "" };
    var last = { zh: null, en: null };
    var walker = page.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var words = node.data.trim();
      if (!words) {  // a space between two elements
        text.zh += " "; text.en += " ";
        continue;
      }
      if (skip.gaps.has(words.replace(/^⟨|⟩$/g, ""))) continue;
      var block = node.parentElement.closest(BLOCKS);
      languageOf(node, page.documentElement).forEach(function (lang) {
        text[lang] += (last[lang] && last[lang] !== block ? " " : "") + node.data;
        last[lang] = block;
      });
    }
    [["zh", "zh-CN", 40, 110], ["en", "en", 80, 220]].forEach(function (spec) {
      var body = text[spec[0]].replace(/\s+/g, " ").trim();
      if (!body) return;
      var p = out.appendChild(document.createElement("p"));
      p.className = "context bl-" + spec[0];
      p.lang = spec[1];
      p.textContent = excerpt(body, keywords || [], spec[2], spec[3]);
    });
    return out;
  };

  // for the tests: the forms a value is written in, the term a query's number becomes,
  // and the pages a query finds, best first (no page shown)
  window.PandaSearch = {
    numberForms: numberForms,
    numberTerm: numberTerm,
    find: function (query) { return find(query).reverse().map(function (item) { return item.result[0]; }); },
  };
})();
