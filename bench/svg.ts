/**
 * Two small SVG charts, written by hand so the report needs no plotting dependency: grouped bars
 * with min–max whiskers (records/s per tool and case) and lines (RSS over time). Plain SVG 1.1 with
 * a white background, so it renders the same on GitHub, in browsers and through rsvg-convert.
 */

export interface BarValue {
  median: number;
  min: number;
  max: number;
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** Groups along the x axis (the cases). */
  groups: string[];
  /** Bars within each group (the tools). */
  series: { name: string; color: string }[];
  /** values[group][series]; null draws no bar. */
  values: (BarValue | null)[][];
  yLabel: string;
  width?: number;
  height?: number;
}

export interface LineChart {
  title: string;
  subtitle?: string;
  series: { name: string; color: string; points: [number, number][] }[];
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

export const PALETTE = ["#2f6fdf", "#e8833a", "#5aa469", "#b5478f", "#7f7f7f"];

const MARGIN = { top: 64, right: 24, bottom: 72, left: 76 };
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

export function barChart(chart: BarChart): string {
  const width = chart.width ?? 820;
  const height = chart.height ?? 440;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const top = Math.max(1, ...chart.values.flat().map((v) => (v ? v.max : 0)));
  const ticks = niceTicks(0, top, 6);
  const yMax = ticks[ticks.length - 1] ?? top;
  const y = (v: number) => MARGIN.top + plotH - (v / yMax) * plotH;
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = Math.min(56, (groupW * 0.8) / Math.max(1, chart.series.length));
  const parts: string[] = [header(width, height, chart.title, chart.subtitle)];
  parts.push(yAxis(ticks, y, width, chart.yLabel, plotH));
  chart.groups.forEach((group, g) => {
    const center = MARGIN.left + groupW * (g + 0.5);
    const first = center - (barW * chart.series.length) / 2;
    chart.series.forEach((series, s) => {
      const value = chart.values[g]?.[s];
      if (!value) return;
      const x = first + s * barW;
      const inner = barW * 0.86;
      const bx = x + (barW - inner) / 2;
      parts.push(
        `<rect x="${f(bx)}" y="${f(y(value.median))}" width="${f(inner)}" height="${f(y(0) - y(value.median))}" fill="${series.color}"><title>${esc(`${series.name}, ${group}: ${formatNumber(value.median)} (${formatNumber(value.min)}–${formatNumber(value.max)})`)}</title></rect>`,
      );
      const cx = bx + inner / 2;
      if (value.max > value.min) {
        parts.push(
          `<path d="M${f(cx)} ${f(y(value.max))}V${f(y(value.min))}M${f(cx - 5)} ${f(y(value.max))}h10M${f(cx - 5)} ${f(y(value.min))}h10" stroke="#222" stroke-width="1.2" fill="none"/>`,
        );
      }
      parts.push(
        `<text x="${f(cx)}" y="${f(y(value.max) - 6)}" ${FONT} font-size="11" text-anchor="middle" fill="#222">${esc(formatNumber(value.median))}</text>`,
      );
    });
    parts.push(
      `<text x="${f(center)}" y="${f(MARGIN.top + plotH + 20)}" ${FONT} font-size="13" text-anchor="middle" fill="#222">${esc(group)}</text>`,
    );
  });
  parts.push(legend(chart.series, width, height));
  parts.push("</svg>\n");
  return parts.join("\n");
}

export function lineChart(chart: LineChart): string {
  const width = chart.width ?? 820;
  const height = chart.height ?? 400;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = chart.series.flatMap((s) => s.points);
  const xTicks = niceTicks(0, Math.max(1e-9, ...all.map((p) => p[0])), 8);
  const yTicks = niceTicks(0, Math.max(1, ...all.map((p) => p[1])), 6);
  const xMax = xTicks[xTicks.length - 1] ?? 1;
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const x = (v: number) => MARGIN.left + (v / xMax) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [header(width, height, chart.title, chart.subtitle)];
  parts.push(yAxis(yTicks, y, width, chart.yLabel, plotH));
  for (const tick of xTicks) {
    parts.push(
      `<text x="${f(x(tick))}" y="${f(MARGIN.top + plotH + 18)}" ${FONT} font-size="11" text-anchor="middle" fill="#444">${esc(formatNumber(tick))}</text>`,
    );
  }
  parts.push(
    `<text x="${f(MARGIN.left + plotW / 2)}" y="${f(MARGIN.top + plotH + 38)}" ${FONT} font-size="12" text-anchor="middle" fill="#222">${esc(chart.xLabel)}</text>`,
  );
  for (const series of chart.series) {
    if (series.points.length === 0) continue;
    const d = series.points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${f(x(px))} ${f(y(py))}`).join("");
    parts.push(
      `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round"/>`,
    );
  }
  parts.push(legend(chart.series, width, height));
  parts.push("</svg>\n");
  return parts.join("\n");
}

/** Round tick values from `min` to at least `max`, about `count` of them. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const range = Math.max(max - min, 1e-9);
  const raw = range / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v < max + step * 0.999; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** 1234567 → "1.23M", 95432 → "95.4k", 12.345 → "12.3". */
export function formatNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${trim((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e3) return `${trim((v / 1e3).toPrecision(3))}k`;
  if (abs >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return trim(v.toPrecision(3));
}

// --- internal ---

function header(width: number, height: number, title: string, subtitle: string | undefined): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="26" ${FONT} font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`,
    subtitle
      ? `<text x="${MARGIN.left}" y="46" ${FONT} font-size="12" fill="#555">${esc(subtitle)}</text>`
      : "",
  ].join("\n");
}

function yAxis(
  ticks: number[],
  y: (v: number) => number,
  width: number,
  label: string,
  plotH: number,
): string {
  const lines = ticks.map(
    (tick) =>
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(y(tick))}" y2="${f(y(tick))}" stroke="${tick === 0 ? "#333" : "#e3e3e3"}" stroke-width="1"/>` +
      `<text x="${MARGIN.left - 8}" y="${f(y(tick) + 4)}" ${FONT} font-size="11" text-anchor="end" fill="#444">${esc(formatNumber(tick))}</text>`,
  );
  const cy = MARGIN.top + plotH / 2;
  lines.push(
    `<text x="18" y="${f(cy)}" ${FONT} font-size="12" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${f(cy)})">${esc(label)}</text>`,
  );
  return lines.join("\n");
}

function legend(series: { name: string; color: string }[], width: number, height: number): string {
  const itemW = Math.min(260, (width - MARGIN.left - MARGIN.right) / Math.max(1, series.length));
  return series
    .map((s, i) => {
      const x = MARGIN.left + i * itemW;
      const y = height - 18;
      return `<rect x="${f(x)}" y="${f(y - 10)}" width="12" height="12" fill="${s.color}"/><text x="${f(x + 18)}" y="${f(y)}" ${FONT} font-size="12" fill="#222">${esc(s.name)}</text>`;
    })
    .join("\n");
}

function f(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 10) / 10) : "0";
}

function trim(text: string): string {
  return text.includes(".") && !text.includes("e") ? text.replace(/\.?0+$/, "") : text;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
