import { describe, expect, it } from 'vitest';
import { writeCsv } from './csv.writer';

describe(writeCsv, () => {
  describe('when fields are plain', () => {
    it('should write the header and each row as comma-separated lines ended by CRLF', () => {
      expect(
        writeCsv(
          ['a', 'b'],
          [
            ['x', 1],
            [null, true],
          ],
        ),
      ).toBe('a,b\r\nx,1\r\n,true\r\n');
    });
  });

  describe('when a field holds a comma, a quote or a line break', () => {
    it('should quote it and double its quotes', () => {
      expect(writeCsv(['country'], [['Virgin Islands, U.S.'], ['say "hi"'], ['two\nlines'], ['cr\r']])).toBe(
        'country\r\n"Virgin Islands, U.S."\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\r"\r\n',
      );
    });
  });

  describe('when there are no rows', () => {
    it('should write the header alone', () => {
      expect(writeCsv(['section', 'value'], [])).toBe('section,value\r\n');
    });
  });
});
