import fontkit, { type Font } from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
// Bundled into the artifacts as bytes (esbuild's binary loader; the vitest config does the same
// for tests), so the Vercel function carries the fonts and reads no file at run time.
import boldTtf from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf";
import regularTtf from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf";
import { CATEGORIES, LEVELS, type Recommendation } from "./questionnaire";

export interface ReportInput {
  id: string;
  organization: string;
  score: number;
  level: string;
  categoryScores: Record<string, number>;
  recommendations: Recommendation[];
  createdAt: Date;
}

// Parsing a 750 KB font costs more than the rest of a report, so each is parsed once per process
// and reused; every document still embeds its own subset of it.
type Face = { font: Font; glyphs: Set<number> };
const faces = new Map<Uint8Array, Face>();
function face(bytes: Uint8Array): Face {
  let f = faces.get(bytes);
  if (!f) {
    const font = fontkit.create(bytes);
    faces.set(bytes, (f = { font, glyphs: new Set(font.characterSet) }));
  }
  return f;
}
const cachingFontkit: Parameters<PDFDocument["registerFontkit"]>[0] = {
  create: (bytes) => face(bytes).font,
};

// DejaVu Sans covers Latin, Greek, Cyrillic and more, but not CJK or emoji. A character without a
// glyph would print as an empty box, which reads as a rendering fault, so it becomes "?" instead.
// NFC first: a letter typed as base + combining accent then uses the font's composed glyph.
const glyphsOf = new WeakMap<PDFFont, Set<number>>();
function printable(text: string, font: PDFFont): string {
  const glyphs = glyphsOf.get(font)!;
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (/\s/.test(ch)) out += " ";
    else out += glyphs.has(ch.codePointAt(0)!) ? ch : "?";
  }
  return out;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of printable(text, font).split(" ").filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export async function renderReport(input: ReportInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  // Fixed metadata keeps the same audit's PDF byte-stable apart from pdf-lib's own IDs. The
  // title is UTF-16 metadata that viewers show with their own fonts, so it needs no fallback.
  doc.setTitle(`Agent Readiness Audit - ${input.organization.normalize("NFC")}`);
  doc.setProducer("ARA web");
  doc.setCreator("ARA web");
  doc.setCreationDate(input.createdAt);
  doc.setModificationDate(input.createdAt);
  doc.registerFontkit(cachingFontkit);
  // Subsets: only the glyphs used are embedded, about 20 KB instead of 1.4 MB per report.
  const font = await doc.embedFont(regularTtf, { subset: true });
  const bold = await doc.embedFont(boldTtf, { subset: true });
  glyphsOf.set(font, face(regularTtf).glyphs);
  glyphsOf.set(bold, face(boldTtf).glyphs);
  const margin = 56;
  let page: PDFPage = doc.addPage([595.28, 841.89]);
  const width = page.getWidth() - 2 * margin;
  let y = page.getHeight() - margin;

  // Lines of one paragraph sit 3 pt apart; `gap` is the space after the paragraph.
  const write = (text: string, size: number, f: PDFFont = font, gap = 6) => {
    for (const l of wrap(text, f, size, width)) {
      if (y < margin + size) {
        page = doc.addPage([595.28, 841.89]);
        y = page.getHeight() - margin;
      }
      page.drawText(l, { x: margin, y: y - size, size, font: f, color: rgb(0.1, 0.1, 0.15) });
      y -= size + 3;
    }
    y -= Math.max(0, gap - 3);
  };

  const levelTitle = LEVELS.find((l) => l.id === input.level)?.title ?? input.level;
  write("Agent Readiness Audit", 24, bold, 14);
  write(`Organization: ${input.organization}`, 12);
  write(`Date: ${input.createdAt.toISOString().slice(0, 10)}`, 12);
  write(`Audit ID: ${input.id}`, 10, font, 16);
  write(`Overall score: ${input.score} / 100 (${levelTitle})`, 16, bold, 16);
  write("Category scores", 14, bold, 8);
  for (const c of CATEGORIES) {
    write(`${c.title} (weight ${c.weight}%): ${input.categoryScores[c.id] ?? 0} / 100`, 11);
  }
  y -= 10;
  write("Recommendations", 14, bold, 8);
  input.recommendations.forEach((r, i) => {
    write(`${i + 1}. ${r.title} [${r.priority}]`, 11, bold, 4);
    write(r.message, 11, font, 10);
  });
  return doc.save();
}
