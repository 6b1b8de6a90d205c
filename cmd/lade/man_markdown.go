package main

import (
	"strings"
	"unicode"
)

// mdSpecial are the characters mdEscape backslash-escapes: those that could
// start emphasis, code, links, HTML or entities anywhere in a line.
const mdSpecial = "\\`*_[]<>#|~&"

// mdEscape makes s literal text in Markdown.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdParagraph is s, whose lines form one paragraph, as a single line of
// literal Markdown text (also when it starts like a list item, a
// definition or a quote).
func mdParagraph(s string) string {
	s = mdEscape(strings.Join(strings.Fields(s), " "))
	if s != "" && strings.ContainsRune("-+:>", rune(s[0])) {
		return "\\" + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }); i > 0 && (s[i] == '.' || s[i] == ')') {
		return s[:i] + "\\" + s[i:]
	}
	return s
}

// mdText turns help text (paragraphs separated by blank lines, indented
// lines kept as they are) into Markdown: paragraphs for the running text,
// code blocks for indented lines.
func mdText(text string) string {
	var out []string
	var para, code []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, mdParagraph(strings.Join(para, " ")))
			para = nil
		}
		if len(code) > 0 {
			out = append(out, mdCode(code))
			code = nil
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if len(para) > 0 {
				flush()
			}
			code = append(code, line)
		default:
			if len(code) > 0 {
				flush()
			}
			para = append(para, line)
		}
	}
	flush()
	return strings.Join(out, "\n\n")
}

// mdCode is lines as a Markdown code block, their common indentation
// removed.
func mdCode(lines []string) string {
	indent := -1
	for _, l := range lines {
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "    " + strings.TrimRight(l[indent:], " \t")
	}
	return strings.Join(out, "\n")
}

// mdFlagTerm formats a flag's names and placeholders as --help prints them
// ("--clear KEY [ --clear KEY ]", "--platform.os OS, --os OS"): names in
// bold, placeholders in italics.
func mdFlagTerm(names string) string {
	words := strings.Fields(names)
	for i, w := range words {
		comma := ""
		if strings.HasSuffix(w, ",") {
			w, comma = strings.TrimSuffix(w, ","), ","
		}
		switch {
		case w == "[" || w == "]":
			words[i] = "\\" + w
		case strings.HasPrefix(w, "-"):
			words[i] = "**" + mdEscape(w) + "**"
		default:
			words[i] = "*" + mdEscape(w) + "*"
		}
		words[i] += comma
	}
	return strings.Join(words, " ")
}
