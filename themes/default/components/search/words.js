/* Words as the build splits them (src/search/text.rs), for queries and
   snippets alike: runs of letters and digits, each lowercased as a whole
   (a Greek word ends in ς, as in the index); a lone letter and anything
   over 40 characters are not words. Scripts written without spaces
   (Thai, Lao, Myanmar, Khmer, Japanese kana, Chinese characters) give a
   word per character and per pair of neighbouring characters.
   Declarations only: they are hoisted, so the order of this folder's
   files does not matter, and a test can load this file on its own. */

function searchSegmented(ch) {
  return /^[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F\u{20000}-\u{3FFFF}]$/u.test(ch);
}

/* The pieces of `text` that words come from, in order:
   {text, start, end, segmented, joined}; `joined` when a segmented
   character follows another. */
function searchPieces(text) {
  var out = [], re = /[\p{Alphabetic}\p{N}]+/gu, match;
  while ((match = re.exec(text))) {
    var end = re.lastIndex, from = match.index, previous = false;
    for (var i = from; i < end; ) {
      var ch = String.fromCodePoint(text.codePointAt(i)), next = i + ch.length;
      if (searchSegmented(ch)) {
        if (from < i) out.push({ text: text.slice(from, i), start: from, end: i });
        out.push({ text: ch, start: i, end: next, segmented: true, joined: previous });
        from = next;
        previous = true;
      } else {
        previous = false;
      }
      i = next;
    }
    if (from < end) out.push({ text: text.slice(from, end), start: from, end: end });
  }
  return out;
}

/* A piece as a word, or "" when it is not one. */
function searchWord(piece) {
  var word = piece.text.toLowerCase(), n = Array.from(word).length;
  if (piece.segmented) return word;
  return n <= 40 && !(n === 1 && /\p{Alphabetic}/u.test(word)) ? word : "";
}

function searchWords(text) {
  var out = [];
  searchPieces(text).forEach(function (piece, i, all) {
    var word = searchWord(piece);
    if (piece.joined) out.push(searchWord(all[i - 1]) + word);
    if (word) out.push(word);
  });
  return out;
}
