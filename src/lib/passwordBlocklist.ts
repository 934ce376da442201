// Common passwords that a new password must not be (OWASP ASVS 5.0 V6.2.4), loaded once into a Set, compared in
// lower case. Sources:
// - @zxcvbn-ts/language-common@4.1.3 (npm, MIT: Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc., Copyright (c)
//   2021 @zxcvbn-ts), its frequency-ranked `passwords-common` list of 49 233 leaked passwords; we keep the 17 950 of
//   8 characters or more (shorter ones are refused by length anyway). A dependency, not a copy: it is updated with npm.
// - Russian entries, GENERATED here (not from a leak): every entry above typed on the Russian keyboard layout
//   (qwerty -> йцукен, so «йцукенгшщз»), and RUSSIAN_WORDS below with the usual suffixes (пароль123, любовь2026),
//   both as typed in Cyrillic and as typed with the English layout still on (пароль -> gfhjkm).
// Besides the list: a password that is one short unit repeated (00000000, abcabcabc) is refused as common too.
import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_LISTED_LENGTH = 8;

const LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
const CYRILLIC = 'йцукенгшщзхъфывапролджэячсмитьбюё';
const toCyrillic = new Map([...LATIN].map((c, i) => [c, CYRILLIC[i]]));
const toLatin = new Map([...CYRILLIC].map((c, i) => [c, LATIN[i]]));

/** The same keys pressed with the other layout on; null when a character has no counterpart. */
function retype(s: string, map: Map<string, string>): string | null {
  let out = '';
  for (const ch of s) {
    if (/[0-9!@#$%^&*()\-_=+ ]/.test(ch)) out += ch;
    else if (map.has(ch)) out += map.get(ch);
    else return null;
  }
  return out;
}
export const toRussianLayout = (s: string) => retype(s.toLowerCase(), toCyrillic);
export const toEnglishLayout = (s: string) => retype(s.toLowerCase(), toLatin);

// Common Russian passwords' stems: words and names that top the Russian leaks' lists (chosen by hand, not copied).
const RUSSIAN_WORDS = [
  'пароль', 'парольчик', 'мойпароль', 'привет', 'приветик', 'любовь', 'люблю', 'ялюблютебя', 'солнышко', 'солнце', 'котенок',
  'котёнок', 'зайка', 'зайчик', 'рыбка', 'малыш', 'малышка', 'девочка', 'мальчик', 'красотка', 'ангел', 'ангелочек', 'принцесса',
  'наташа', 'наталья', 'марина', 'светлана', 'света', 'татьяна', 'таня', 'елена', 'лена', 'ольга', 'оля', 'ирина', 'ира', 'анна',
  'аня', 'мария', 'маша', 'юлия', 'юля', 'екатерина', 'катя', 'анастасия', 'настя', 'александр', 'саша', 'сергей', 'андрей',
  'алексей', 'дмитрий', 'дима', 'максим', 'владимир', 'вова', 'николай', 'иван', 'михаил', 'миша', 'денис', 'евгений', 'женя',
  'россия', 'москва', 'кузбасс', 'новокузнецк', 'кемерово', 'сибирь', 'спартак', 'зенит', 'динамо', 'металлург', 'интернет',
  'компьютер', 'ноутбук', 'телефон', 'телевизор', 'абонент', 'кабинет', 'доступ', 'секрет', 'qwerty', 'йцукен', 'фыва', 'фывапролд',
  'ячсмить', 'счастье', 'свобода', 'надежда', 'победа', 'мама', 'папа', 'мамапапа', 'семья', 'дочка', 'сынок', 'бабушка', 'кошка',
  'собака', 'барсик', 'мурзик', 'шарик', 'бобик', 'медведь', 'волк', 'тигр', 'дракон', 'хоккей', 'футбол', 'рыбалка', 'охота',
  'работа', 'админ', 'администратор', 'пользователь', 'гость', 'вход', 'логин', 'пароль1', 'нетпароля', 'забылпароль',
];
const SUFFIXES = [
  '', '1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789', '0', '00', '01', '007', '11', '111', '777',
  '666', '69', '88', '99', '!', '1!', '123!', '!!', '2000', '2001', '2005', '2010', '2015', '2020', '2021', '2022', '2023',
  '2024', '2025', '2026', '2027', '1980', '1985', '1990', '1995',
];

let list: Set<string> | null = null;

function build(): Set<string> {
  const set = new Set<string>();
  const add = (p: string | null) => {
    if (p && [...p].length >= MIN_LISTED_LENGTH) set.add(p.toLowerCase());
  };
  for (const p of dictionary['passwords-common']) {
    if ([...p].length < MIN_LISTED_LENGTH) continue;
    add(p);
    const ru = toRussianLayout(p);
    if (ru && /[а-яё]/.test(ru)) add(ru);
  }
  for (const w of RUSSIAN_WORDS) {
    for (const s of SUFFIXES) {
      add(w + s);
      add(s + w);
      add(toEnglishLayout(w + s));
    }
  }
  return set;
}

/** The whole list: 45 432 entries (17 950 from the leak list, the rest generated Russian), built on first use (0.2–0.9 s on a busy 2-core machine), then kept. */
export function commonPasswords(): ReadonlySet<string> {
  list ??= build();
  return list;
}

/** Whether the password is on the list or is a short unit repeated; case does not matter. */
export function isCommonPassword(password: string): boolean {
  const p = password.normalize('NFC').toLowerCase();
  return commonPasswords().has(p) || /^(.{1,3})\1+$/su.test(p);
}
