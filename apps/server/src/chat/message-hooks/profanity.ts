import type { HookVerdict, MessageHook } from "./types.ts";
import { WORD_LISTS, type WordListLanguage } from "./word-lists.ts";

export interface ProfanityOptions {
  languages: WordListLanguage[];
  action: "reject" | "mask";
  /** More words per language, matched like the built-in ones. */
  extra_words?: Partial<Record<WordListLanguage, string[]>>;
}

type Span = [start: number, end: number];

const escapeRe = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** Characters dropped between Korean letters before matching (spacing and obfuscation). */
const FILLER = /[\s\p{P}\p{S}\p{N}_]/u;

/** Whole-word matches (letters and digits around a word do not count as a boundary). */
function wordMatcher(words: string[]): (text: string) => Span[] {
  if (words.length === 0) return () => [];
  const re = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${[...words]
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join("|")})(?![\\p{L}\\p{N}])`,
    "giu",
  );
  return (text) => [...text.matchAll(re)].map((m) => [m.index, m.index + m[0].length] as Span);
}

/** Substring matches on the text without fillers, mapped back to the original's indexes. */
function substringMatcher(words: string[]): (text: string) => Span[] {
  const list = [...new Set(words.map((w) => w.replace(new RegExp(FILLER, "gu"), "")).filter(Boolean))];
  if (list.length === 0) return () => [];
  return (text) => {
    let packed = "";
    const at: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (FILLER.test(ch)) continue;
      packed += ch;
      at.push(i);
    }
    const spans: Span[] = [];
    for (const w of list) {
      for (let from = packed.indexOf(w); from !== -1; from = packed.indexOf(w, from + w.length))
        spans.push([at[from]!, at[from + w.length - 1]! + 1]);
    }
    return spans;
  };
}

/** The built-in profanity filter: rejects the message, or masks the words with `*`. */
export function profanityHook(o: ProfanityOptions): MessageHook {
  const matchers = o.languages.map((lang) => {
    const words = [...WORD_LISTS[lang], ...(o.extra_words?.[lang] ?? [])];
    return lang === "ko" ? substringMatcher(words) : wordMatcher(words);
  });
  return {
    kind: "profanity",
    check(input): HookVerdict {
      // Decomposed jamo (NFD input) compose first, so "시발" matches however it was typed.
      const text = input.message.normalize("NFC");
      const spans = matchers.flatMap((m) => m(text));
      if (spans.length === 0)
        return text === input.message ? { action: "accept" } : { action: "rewrite", message: text };
      if (o.action === "reject")
        return { action: "reject", reason: "the message contains a word that is not allowed" };
      // Spans are UTF-16 indexes: mask unit by unit (fillers inside a match are kept).
      const out = text.split("");
      for (const [s, e] of spans) for (let i = s; i < e; i++) if (!FILLER.test(out[i]!)) out[i] = "*";
      return { action: "rewrite", message: out.join("") };
    },
  };
}
