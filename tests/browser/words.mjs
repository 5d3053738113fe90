// Splits texts into words with the theme's search tokenizer
// (themes/default/components/search/words.js), for the Rust test that
// checks the build's tokenizer gives the same words. Reads a JSON array of
// texts on standard input; prints a JSON array of word lists.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, "../../themes/default/components/search/words.js");
const searchWords = vm.runInNewContext(`${readFileSync(file, "utf8")}\n;searchWords`, {}, { filename: file });
const texts = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map((text) => searchWords(text))));
