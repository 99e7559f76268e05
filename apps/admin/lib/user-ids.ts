/** `"1, 2 ,alice"` → `["1","2","alice"]`: comma or space separated, empty entries and repeats dropped. */
export function parseUserIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
