/** Parsers for the BagIt tag files (RFC 8493 §2.1.1, §2.1.3, §2.2.2). */

export interface ManifestEntry {
  readonly digest: string;
  readonly path: string;
  readonly line: number;
}

/**
 * `digest<whitespace>path` per line (RFC 8493 §2.1.3). `sha256sum` writes two spaces (or space
 * and '*' for binary mode); paths percent-encode CR, LF and '%'.
 */
export function parseManifest(text: string, fileName: string, digestLength: number): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line === '' && index === lines.length - 1) return;
    const match = /^([0-9a-fA-F]+)[ \t]+\*?(.+)$/.exec(line);
    if (!match || match[1]!.length !== digestLength) {
      throw new Error(`${fileName} line ${index + 1} is not 'digest  path': ${JSON.stringify(line.slice(0, 120))}`);
    }
    entries.push({ digest: match[1]!.toLowerCase(), path: decodePath(match[2]!), line: index + 1 });
  });
  return entries;
}

function decodePath(path: string): string {
  return path.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** `Label: value` lines with indented continuation lines (RFC 8493 §2.2.2). */
export function parseBagInfo(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: { label: string; index: number } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.label)!;
      values[last.index] = `${values[last.index]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bag-info.txt line is not 'Label: value': ${JSON.stringify(line.slice(0, 120))}`);
    const label = line.slice(0, colon).trim();
    const values = fields.get(label) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(label, values);
    last = { label, index: values.length - 1 };
  }
  return fields;
}
