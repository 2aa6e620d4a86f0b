import { LineIndex, codePointToIndex, utf8ByteToIndex } from "../../../src/core/sql/positions.js";

test("utf8ByteToIndex maps byte offsets of 1-, 2-, 3- and 4-byte characters", () => {
  const t = "aé€🚀b";
  expect([0, 1, 3, 6, 10, 11].map((b) => utf8ByteToIndex(t, b))).toEqual([0, 1, 2, 3, 5, 6]);
  expect(utf8ByteToIndex(t, 100)).toBe(t.length);
});

test("codePointToIndex counts astral characters once", () => {
  const t = "a🚀b🚀c";
  expect([0, 1, 2, 3, 4, 5].map((c) => codePointToIndex(t, c))).toEqual([0, 1, 3, 4, 6, 7]);
});

test("LineIndex handles LF, CRLF and CR and clamps offsets", () => {
  const li = new LineIndex("a\nb\r\nc\rd");
  expect([0, 2, 3, 4, 5, 7].map((o) => li.position(o).line)).toEqual([1, 2, 2, 2, 3, 4]);
  expect(li.lineCount).toBe(4);
  expect(li.position(-5)).toEqual({ line: 1, column: 1, offset: 0 });
  expect(li.position(999).line).toBe(4);
  expect(li.lineStart(3)).toBe(5);
});
