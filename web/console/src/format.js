// Dates the way the console shows them: in the browser's zone, ISO-like.

const pad = (n) => String(n).padStart(2, '0');

export function ymd(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function ym(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

export function dateTime(unix) {
  if (unix === undefined || unix === null) return '';
  const d = new Date(unix * 1000);
  return `${ymd(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// daysOf returns the days of the month "YYYY-MM", up to today when it is
// the current month.
export function daysOf(month, today = new Date()) {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(y, m, 0).getDate();
  const days = [];
  for (let d = 1; d <= last; d++) {
    const day = new Date(y, m - 1, d);
    if (day > today) break;
    days.push(day);
  }
  return days;
}

export function monthsOf(year) {
  return Array.from({ length: 12 }, (_, i) => new Date(year, i, 1));
}

export const number = (n) => new Intl.NumberFormat('en').format(n);
