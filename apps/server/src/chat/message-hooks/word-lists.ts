/**
 * Built-in word lists of the profanity hook: deliberately small (the commonest words), meant to
 * be extended with `extra_words`. English is matched as whole words (case-insensitive); Korean
 * has no word boundaries, so it is matched as a substring after spaces, punctuation and digits
 * between letters are dropped ("시 발", "시.발", "시1발" all match), with the jamo abbreviations
 * (ㅅㅂ, ㅂㅅ) that chat uses. docs/configuration.md#message-hooks lists them.
 */
export const WORD_LISTS = {
  en: [
    "fuck",
    "fucks",
    "fucked",
    "fucker",
    "fucking",
    "motherfucker",
    "shit",
    "shitty",
    "bullshit",
    "bitch",
    "bitches",
    "asshole",
    "bastard",
    "cunt",
    "dickhead",
    "wanker",
  ],
  ko: [
    "씨발",
    "시발",
    "씨팔",
    "씨빨",
    "ㅅㅂ",
    "ㅆㅂ",
    "병신",
    "ㅂㅅ",
    "ㅄ",
    "개새끼",
    "개새",
    "좆",
    "존나",
    "지랄",
    "썅",
    "미친놈",
    "미친년",
    "느금마",
    "니미",
  ],
} as const satisfies Record<string, readonly string[]>;

export type WordListLanguage = keyof typeof WORD_LISTS;
