// Whether a JSON text names one key twice in one object. JSON.parse keeps the last value,
// while another reader of the same bytes (a proxy, a log, an audit tool) may keep the first:
// the two would see different requests. The HTTP API refuses such a body.

/**
 * The first key that appears twice in one object of `text`, which must be valid JSON (parse it
 * first), or null. Keys are compared as parsed, so "a" and "\u0061" are the same key.
 */
export function duplicateKey(text: string): string | null {
  // One entry per open object (its keys so far) or array (null).
  const open: (Set<string> | null)[] = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return null; // not JSON: the parser has refused it already
      const keys = open[open.length - 1];
      if (keyNext && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        keyNext = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      keyNext = true;
    } else if (c === '[') {
      open.push(null);
      keyNext = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      keyNext = false;
    } else if (c === ',') {
      keyNext = open[open.length - 1] != null;
    }
  }
  return null;
}
