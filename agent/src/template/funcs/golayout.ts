// Go's time.Format layouts ("2006-01-02T15:04:05Z07:00" and friends) for the timestamp function, in UTC. Pure.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

// Longest tokens first, so "2006" wins over "2" and "January" over "Jan".
const TOKENS = [
  'January',
  'Monday',
  'Z07:00:00',
  '-07:00:00',
  'Z07:00',
  '-07:00',
  'Z0700',
  '-0700',
  '2006',
  'Jan',
  'Mon',
  'MST',
  '002',
  '__2',
  'Z07',
  '-07',
  '01',
  '02',
  '_2',
  '03',
  '04',
  '05',
  '06',
  '15',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start) / 86_400_000) + 1;
}

function fraction(d: Date, digits: number, trim: boolean): string {
  const ms = d.getUTCMilliseconds();
  let s = pad(ms, 3).padEnd(9, '0').slice(0, digits);
  if (trim) s = s.replace(/0+$/, '');
  return s === '' ? '' : `.${s}`;
}

/** Formats `d` in UTC with a Go reference-time layout. */
export function formatGoTime(d: Date, layout: string): string {
  let out = '';
  let i = 0;
  while (i < layout.length) {
    // Fractional seconds: ".000" / ",000" (fixed) or ".999" (trailing zeros trimmed) right after a seconds field.
    const frac = /^[.,](0+|9+)(?!\d)/.exec(layout.slice(i));
    if (frac && /(05|5)$/.test(layout.slice(0, i))) {
      const digits = frac[1]!;
      out += fraction(d, digits.length, digits[0] === '9').replace('.', frac[0][0]!);
      i += frac[0].length;
      continue;
    }
    const token = TOKENS.find((t) => layout.startsWith(t, i));
    if (token === undefined) {
      out += layout[i];
      i++;
      continue;
    }
    i += token.length;
    const hour = d.getUTCHours();
    switch (token) {
      case 'January':
        out += MONTHS[d.getUTCMonth()];
        break;
      case 'Jan':
        out += MONTHS[d.getUTCMonth()]!.slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[d.getUTCDay()];
        break;
      case 'Mon':
        out += DAYS[d.getUTCDay()]!.slice(0, 3);
        break;
      case 'MST':
        out += 'UTC';
        break;
      case '2006':
        out += pad(d.getUTCFullYear(), 4);
        break;
      case '06':
        out += pad(d.getUTCFullYear() % 100, 2);
        break;
      case '01':
        out += pad(d.getUTCMonth() + 1, 2);
        break;
      case '1':
        out += String(d.getUTCMonth() + 1);
        break;
      case '02':
        out += pad(d.getUTCDate(), 2);
        break;
      case '_2':
        out += pad(d.getUTCDate(), 2, ' ');
        break;
      case '2':
        out += String(d.getUTCDate());
        break;
      case '002':
        out += pad(dayOfYear(d), 3);
        break;
      case '__2':
        out += pad(dayOfYear(d), 3, ' ');
        break;
      case '15':
        out += pad(hour, 2);
        break;
      case '03':
        out += pad(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case '3':
        out += String(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case '04':
        out += pad(d.getUTCMinutes(), 2);
        break;
      case '4':
        out += String(d.getUTCMinutes());
        break;
      case '05':
        out += pad(d.getUTCSeconds(), 2);
        break;
      case '5':
        out += String(d.getUTCSeconds());
        break;
      case 'PM':
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += hour >= 12 ? 'pm' : 'am';
        break;
      // UTC: the Z forms print "Z", the numeric forms a zero offset.
      case 'Z07:00:00':
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
        out += 'Z';
        break;
      case '-07:00:00':
        out += '+00:00:00';
        break;
      case '-07:00':
        out += '+00:00';
        break;
      case '-0700':
        out += '+0000';
        break;
      case '-07':
        out += '+00';
        break;
    }
  }
  return out;
}
