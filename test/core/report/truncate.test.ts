import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { truncateCodePoints, truncateUtf8, utf8Length } from "../../../src/core/report/truncate.js";

describe("truncateUtf8", () => {
  test("leaves text that fits alone", () => {
    expect(truncateUtf8("héllo", 6)).toBe("héllo");
  });

  test("counts bytes, not characters, and never splits a code point", () => {
    // "é" is 2 bytes, "😀" 4: 6 UTF-16 units but 9 bytes.
    expect(truncateUtf8("aé😀bc", 8, "")).toBe("aé😀b");
    expect(truncateUtf8("aé😀bc", 6, "")).toBe("aé");
    expect(truncateUtf8("aé😀bc", 3, "…")).toBe("");
    expect(truncateUtf8("aéé", 4, "…")).toBe("a…");
  });

  test("property: the result fits, is valid UTF-16, and is a prefix plus the marker", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), fc.nat(120), (text, max) => {
        const out = truncateUtf8(text, max, "~");
        if (utf8Length(text) <= max) return out === text;
        expect(utf8Length(out)).toBeLessThanOrEqual(max);
        // No lone surrogate: it would not survive a UTF-8 round trip.
        expect(Buffer.from(out, "utf8").toString("utf8")).toBe(out);
        if (out !== "") {
          expect(out.endsWith("~")).toBe(true);
          expect(text.startsWith(out.slice(0, -1))).toBe(true);
        }
        return true;
      }),
    );
  });
});

test("truncateCodePoints keeps surrogate pairs whole", () => {
  expect(truncateCodePoints("😀😀😀", 2, "…")).toBe("😀…");
  expect(truncateCodePoints("abc", 3)).toBe("abc");
});
