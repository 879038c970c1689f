// Text encodings in feeds. Exports from older systems arrive as Windows-1252
// (Excel's "CSV" on Windows), sometimes with a UTF-8 byte order mark; the
// store keeps UTF-8 only, so every line is checked and, where the feed's
// mapping allows, converted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace onechild {

enum class Encoding {
  kUtf8,         // invalid UTF-8 is an error
  kWindows1252,  // every byte converted from Windows-1252
  kAuto,         // UTF-8 where valid, else read as Windows-1252
};

// Parses "utf-8", "windows-1252" (or "cp1252") and "auto".
std::optional<Encoding> parse_encoding(std::string_view name);

// Decodes the code point at text[i] (i < text.size()) and advances i past
// it. An invalid sequence (bad lead byte, truncated, overlong, a surrogate,
// above U+10FFFF) advances one byte and gives nullopt, so decoding resumes
// at the next byte.
std::optional<char32_t> next_utf8(std::string_view text, size_t& i);

// The byte offset of the first invalid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or npos.
size_t invalid_utf8_at(std::string_view text);

// Windows-1252 to UTF-8. The five bytes Windows-1252 leaves undefined (0x81,
// 0x8D, 0x8F, 0x90, 0x9D) cannot be converted: nullopt.
std::optional<std::string> windows1252_to_utf8(std::string_view text);

// The UTF-8 byte order mark, which some exporters write at the start of a file.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Replaces invalid UTF-8 with U+FFFD and control characters with spaces:
// for showing untrusted raw text on a terminal, never for storing it.
std::string printable(std::string_view text, size_t max_bytes);

// Shell-style match: '*' any run of characters, '?' one character (feed file
// names against mapping patterns, source codes against linkage settings).
bool glob_match(std::string_view pattern, std::string_view text);

// Escapes & < > " ' for safe use in HTML text and attribute values (web
// pages, printable letters).
std::string html_escape(std::string_view text);

}  // namespace onechild
