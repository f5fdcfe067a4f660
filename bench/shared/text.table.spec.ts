import { describe, expect, it } from 'vitest';
import { renderTable } from './text.table';

describe('renderTable', () => {
  const rows = [
    ['stage', 'msgs/s'],
    ['publish', '12345'],
    ['consume', '987'],
  ];

  it('left-aligns every column unless told otherwise, each as wide as its widest cell', () => {
    expect(renderTable(rows)).toBe(
      ['stage   | msgs/s', '--------|-------', 'publish | 12345 ', 'consume | 987   '].join('\n'),
    );
  });

  it('right-aligns the columns named so and indents every line', () => {
    expect(renderTable(rows, { align: ['left', 'right'], indent: '  ' })).toBe(
      ['  stage   | msgs/s', '  --------|-------', '  publish |  12345', '  consume |    987'].join('\n'),
    );
  });

  it('renders nothing for no rows', () => {
    expect(renderTable([])).toBe('');
  });
});
