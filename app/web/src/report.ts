import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
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

// The standard PDF fonts only cover WinAnsi; anything else would make pdf-lib throw.
const winAnsi = (s: string) => s.replace(/[^\x20-\x7E\xA0-\xFF]/g, "?");

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of winAnsi(text).split(/\s+/)) {
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
  // Fixed metadata keeps the same audit's PDF byte-stable apart from pdf-lib's own IDs.
  doc.setTitle(`Agent Readiness Audit - ${winAnsi(input.organization)}`);
  doc.setProducer("ARA web");
  doc.setCreator("ARA web");
  doc.setCreationDate(input.createdAt);
  doc.setModificationDate(input.createdAt);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
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
