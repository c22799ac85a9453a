import assert from 'node:assert/strict';
import { type FuncMap, GoFloat, type MissingKey, renderTemplate } from './exec.js';

// Golden table for the Go text/template engine. Every expected output and error message below was produced by
// running Go 1.26's text/template on the same template and data (a throwaway program, not in this repository),
// with the data decoded from JSON so that integral numbers are Go ints and the others float64s, and with the
// functions in TEST_FUNCS registered under the same names and signatures.

interface Case {
  readonly name: string;
  readonly template: string;
  /** Defaults to BASE_DATA. */
  readonly data?: unknown;
  readonly missingKey?: MissingKey;
  readonly delims?: readonly [string, string];
  readonly want?: string;
  readonly wantError?: string;
}

const BASE_DATA: unknown = {
  s: 'str',
  n: 3,
  f: 1.5,
  z: 0,
  t: true,
  fl: false,
  e: '',
  nul: null,
  arr: ['x', 'y', 'z'],
  ints: [1, 2, 3],
  m: { b: 2, a: 1, c: 'three' },
  em: {},
  ea: [],
  nested: { m: { k: 'v' }, arr: [{ name: 'a' }, { name: 'b' }] },
  html: "<a href='x'>&\"</a>",
  withnil: ['a', null, 'b'],
  mixed: [true, false, null, 1, 2.5, 'x'],
  big: 9007199254740991,
  negf: -0.5,
  tiny: 0.00001,
  huge: 1e22,
  mm: { q: { x: 1 }, p: { x: 2 } },
  deep: { z: [1, { y: 'w' }], a: { b: [] } },
  fint: 2.5,
  grid: [[1, 2], [3]],
};

// Go: upper = strings.ToUpper, add = func(a, b int) int, fail = func(s string) (string, error).
const TEST_FUNCS: FuncMap = {
  upper: { params: 1, fn: (s) => String(s).toUpperCase() },
  add: { params: 2, fn: (a, b) => Number(a) + Number(b) },
  fail: {
    params: 1,
    fn: (s) => {
      throw new Error(String(s));
    },
  },
};

const cases = [
  { name: 'plain text', template: 'hello world', want: 'hello world' },
  { name: 'empty template', template: '', want: '' },
  { name: 'field string', template: '{{.s}}', want: 'str' },
  { name: 'field int', template: '{{.n}}', want: '3' },
  { name: 'field float', template: '{{.f}}', want: '1.5' },
  { name: 'field bool', template: '{{.t}} {{.fl}}', want: 'true false' },
  { name: 'dot whole map', template: '{{.m}}', want: 'map[a:1 b:2 c:three]' },
  { name: 'print slice', template: '{{.arr}}', want: '[x y z]' },
  { name: 'print int slice', template: '{{.ints}}', want: '[1 2 3]' },
  { name: 'print empty map and slice', template: '{{.em}} {{.ea}}', want: 'map[] []' },
  { name: 'print nested', template: '{{.nested}}', want: 'map[arr:[map[name:a] map[name:b]] m:map[k:v]]' },
  { name: 'missing key prints no value', template: '{{.nope}}', want: '<no value>' },
  { name: 'null value prints no value', template: '{{.nul}}', want: '<no value>' },
  { name: 'null inside slice prints nil', template: '{{.withnil}}', want: '[a <nil> b]' },
  { name: 'chained field', template: '{{.nested.m.k}}', want: 'v' },
  { name: 'missing intermediate errors', template: '{{.nope.x}}', want: '<no value>' },
  {
    name: 'missingkey=error missing',
    template: '{{.nope}}',
    missingKey: 'error',
    wantError: 'template: t:1:2: executing "t" at <.nope>: map has no entry for key "nope"',
  },
  { name: 'missingkey=error present', template: '{{.s}}', missingKey: 'error', want: 'str' },
  {
    name: 'missingkey=error nested',
    template: '{{.nested.m.nope}}',
    missingKey: 'error',
    wantError: 'template: t:1:9: executing "t" at <.nested.m.nope>: map has no entry for key "nope"',
  },
  { name: 'missingkey=error index ignores', template: '{{index .m "nope"}}', missingKey: 'error', want: '<no value>' },
  {
    name: 'field of string errors',
    template: '{{.s.x}}',
    wantError: 'template: t:1:4: executing "t" at <.s.x>: can\'t evaluate field x in type interface {}',
  },
  { name: 'dot with nil data', template: '{{.}}', data: null, want: '<no value>' },
  { name: 'field on nil data', template: '{{.x}}', data: null, want: '<no value>' },
  { name: 'trim left', template: 'a  \n {{- "b"}}', want: 'ab' },
  { name: 'trim right', template: '{{"a" -}} \n\t b', want: 'ab' },
  { name: 'trim both', template: 'a  {{- " b " -}}  c\n{{- /* c */ -}}\nd', want: 'a b cd' },
  { name: 'minus number not trim', template: '{{-3}}', want: '-3' },
  { name: 'comment', template: 'a{{/* hi */}}b', want: 'ab' },
  { name: 'comment trimmed', template: 'a {{- /* hi */ -}} b', want: 'ab' },
  { name: 'comment not closed', template: 'a{{/* hi }}b', wantError: 'template: t:1: unclosed comment' },
  {
    name: 'comment bad end',
    template: 'a{{/* hi */ x}}b',
    wantError: 'template: t:1: comment ends before closing delimiter',
  },
  { name: 'custom delimiters', template: '<<.s>> {{.s}}', delims: ['<<', '>>'], want: 'str {{.s}}' },
  { name: 'custom delimiters trim', template: 'a <<- .n ->> b', delims: ['<<', '>>'], want: 'a3b' },
  { name: 'custom delimiters brackets', template: '[[range .arr]][[.]],[[end]]', delims: ['[[', ']]'], want: 'x,y,z,' },
  { name: 'string escapes', template: '{{"a\\tb\\n\\u00e9\\x41\\101\\\\\\""}}', want: 'a\tb\néAA\\"' },
  { name: 'raw string', template: '{{`a\\tb`}}', want: 'a\\tb' },
  { name: 'raw string multiline', template: '{{`a\nb`}}', want: 'a\nb' },
  { name: 'char constant', template: "{{'a'}} {{'\\n'}}", want: '97 10' },
  {
    name: 'int constants',
    template: '{{1}} {{-7}} {{+3}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}',
    want: '1 -7 3 31 15 15 5 1000',
  },
  {
    name: 'float constants',
    template: '{{1.5}} {{1.0}} {{1e3}} {{1e21}} {{1.5e-7}} {{0.000001}} {{.25}} {{2.5e20}}',
    want: '1.5 1 1000 1e+21 1.5e-07 1e-06 0.25 2.5e+20',
  },
  { name: 'bool and nil constants', template: '{{true}} {{false}}', want: 'true false' },
  {
    name: 'nil is not a command',
    template: '{{nil}}',
    wantError: 'template: t:1:2: executing "t" at <nil>: nil is not a command',
  },
  { name: 'if true', template: '{{if .t}}yes{{end}}', want: 'yes' },
  { name: 'if false else', template: '{{if .fl}}yes{{else}}no{{end}}', want: 'no' },
  { name: 'if else if', template: '{{if .fl}}a{{else if .n}}b{{else}}c{{end}}', want: 'b' },
  { name: 'truthiness zero', template: '{{if .z}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness empty string', template: '{{if .e}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness empty map', template: '{{if .em}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness empty slice', template: '{{if .ea}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness nil', template: '{{if .nul}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness missing', template: '{{if .nope}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness float zero', template: '{{if 0.0}}t{{else}}f{{end}}', want: 'f' },
  { name: 'truthiness nonempty', template: '{{if .m}}t{{end}}{{if .arr}}t{{end}}{{if .f}}t{{end}}', want: 'ttt' },
  { name: 'with', template: '{{with .m}}{{.a}}{{end}}', want: '1' },
  { name: 'with else', template: '{{with .e}}x{{else}}empty{{end}}', want: 'empty' },
  { name: 'with else with', template: '{{with .e}}x{{else with .s}}{{.}}{{end}}', want: 'str' },
  { name: 'range slice', template: '{{range .arr}}[{{.}}]{{end}}', want: '[x][y][z]' },
  { name: 'range index value', template: '{{range $i, $v := .arr}}{{$i}}={{$v}} {{end}}', want: '0=x 1=y 2=z ' },
  { name: 'range map sorted', template: '{{range $k, $v := .m}}{{$k}}:{{$v}};{{end}}', want: 'a:1;b:2;c:three;' },
  { name: 'range map value only', template: '{{range .m}}{{.}},{{end}}', want: '1,2,three,' },
  { name: 'range single var', template: '{{range $v := .ints}}{{$v}}{{end}}', want: '123' },
  { name: 'range else empty', template: '{{range .ea}}x{{else}}none{{end}}', want: 'none' },
  { name: 'range else nil', template: '{{range .nul}}x{{else}}none{{end}}', want: 'none' },
  { name: 'range int', template: '{{range 3}}{{.}}{{end}}', want: '012' },
  {
    name: 'range string errors',
    template: '{{range .s}}{{.}}{{end}}',
    wantError: 'template: t:1:8: executing "t" at <.s>: range can\'t iterate over str',
  },
  {
    name: 'nested range',
    template: '{{range $x := .ints}}{{range $.arr}}{{$x}}{{.}} {{end}}{{end}}',
    want: '1x 1y 1z 2x 2y 2z 3x 3y 3z ',
  },
  { name: 'nested range objects', template: '{{range .nested.arr}}{{.name}}{{end}}', want: 'ab' },
  { name: 'range break', template: '{{range .ints}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}', want: '1' },
  { name: 'range continue', template: '{{range .ints}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}', want: '13' },
  { name: 'break outside range', template: '{{break}}', wantError: 'template: t:1: {{break}} outside {{range}}' },
  {
    name: 'continue outside range',
    template: '{{if .t}}{{continue}}{{end}}',
    wantError: 'template: t:1: {{continue}} outside {{range}}',
  },
  { name: 'range whitespace trimming', template: '{{range .arr -}}\n  {{.}}\n{{- end}}', want: 'xyz' },
  { name: 'variable declare', template: '{{$x := 5}}{{$x}}', want: '5' },
  { name: 'variable assign', template: '{{$x := 1}}{{$x = 2}}{{$x}}', want: '2' },
  { name: 'variable assign in range', template: '{{$x := 0}}{{range .ints}}{{$x = .}}{{end}}{{$x}}', want: '3' },
  {
    name: 'variable scope ends',
    template: '{{if .t}}{{$y := 1}}{{end}}{{$y}}',
    wantError: 'template: t:1: undefined variable "$y"',
  },
  { name: 'variable undefined', template: '{{$nope}}', wantError: 'template: t:1: undefined variable "$nope"' },
  { name: 'dollar root', template: '{{with .m}}{{$.s}}{{end}}', want: 'str' },
  { name: 'variable field', template: '{{$m := .nested}}{{$m.m.k}}', want: 'v' },
  { name: 'declaration prints nothing', template: 'a{{$x := "b"}}c', want: 'ac' },
  { name: 'pipeline into func', template: '{{.s | printf "%s!"}}', want: 'str!' },
  { name: 'pipeline chain', template: '{{.arr | len | printf "%d items"}}', want: '3 items' },
  { name: 'parenthesised', template: '{{printf "%d-%d" (len .arr) (len .m)}}', want: '3-3' },
  { name: 'paren field chain', template: '{{(.nested).m.k}}', want: 'v' },
  { name: 'paren index field', template: '{{(index .nested.arr 1).name}}', want: 'b' },
  { name: 'unclosed paren', template: '{{(len .arr}}', wantError: 'template: t:1: unclosed left paren' },
  { name: 'unexpected right paren', template: '{{len .arr)}}', wantError: 'template: t:1: unexpected right paren' },
  { name: 'and returns value', template: '{{and 1 ""}}|{{and 1 2}}|{{and 0 2}}', want: '|2|0' },
  { name: 'or returns value', template: '{{or "" "x"}}|{{or 0 ""}}|{{or .s "y"}}', want: 'x||str' },
  { name: 'not', template: '{{not ""}} {{not 1}} {{not .m}}', want: 'true false false' },
  { name: 'and short circuits', template: '{{and false (index .ints 9)}}', want: 'false' },
  { name: 'len', template: '{{len .s}} {{len .arr}} {{len .m}} {{len "héllo"}}', want: '3 3 3 6' },
  {
    name: 'len of int errors',
    template: '{{len 3}}',
    wantError: 'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int',
  },
  { name: 'index slice', template: '{{index .arr 1}}', want: 'y' },
  { name: 'index map', template: '{{index .m "a"}}', want: '1' },
  { name: 'index nested', template: '{{index .nested "m" "k"}}', want: 'v' },
  {
    name: 'index out of range',
    template: '{{index .arr 5}}',
    wantError: 'template: t:1:2: executing "t" at <index .arr 5>: error calling index: index out of range: 5',
  },
  { name: 'index missing map key', template: '{{index .m "zz"}}', want: '<no value>' },
  { name: 'index string byte', template: '{{index .s 0}}', want: '115' },
  { name: 'slice string', template: '{{slice .s 1 3}} {{slice .s 1}}', want: 'tr tr' },
  { name: 'slice slice', template: '{{slice .ints 1}} {{slice .ints 0 2}}', want: '[2 3] [1 2]' },
  {
    name: 'slice out of range',
    template: '{{slice .ints 2 9}}',
    wantError: 'template: t:1:2: executing "t" at <slice .ints 2 9>: error calling slice: index out of range: 9',
  },
  { name: 'print', template: '{{print "a" 1 2 "b" "c" .t}}', want: 'a1 2bctrue' },
  { name: 'print numbers spaced', template: '{{print 1 2}} {{print "x" "y"}}', want: '1 2 xy' },
  { name: 'println', template: '{{println "a" 1}}', want: 'a 1\n' },
  {
    name: 'printf verbs',
    template: '{{printf "%s|%d|%v|%q|%t|%%" "s" 42 .m "q\\"x" true}}',
    want: 's|42|map[a:1 b:2 c:three]|"q\\"x"|true|%',
  },
  { name: 'printf float', template: '{{printf "%f|%.2f|%.0f|%v" 3.14159 2.5 2.5 .f}}', want: '3.141590|2.50|2|1.5' },
  { name: 'printf hex', template: '{{printf "%x|%X|%x" 255 255 "hi"}}', want: 'ff|FF|6869' },
  { name: 'printf width', template: '{{printf "%5d|%-5s|%05d" 42 "ab" 7}}', want: '   42|ab   |00007' },
  { name: 'printf wrong type', template: '{{printf "%d" "s"}}', want: '%!d(string=s)' },
  { name: 'printf missing arg', template: '{{printf "%s %s" "a"}}', want: 'a %!s(MISSING)' },
  { name: 'printf extra arg', template: '{{printf "%s" "a" "b"}}', want: 'a%!(EXTRA string=b)' },
  {
    name: 'printf v of slice and nil',
    template: '{{printf "%v %v %v" .arr .nul .withnil}}',
    want: '[x y z] <nil> [a <nil> b]',
  },
  { name: 'printf q of int', template: '{{printf "%q" 65}}', want: "'A'" },
  { name: 'eq basic', template: '{{eq 1 1}} {{eq "a" "b"}} {{eq .s "str"}}', want: 'true false true' },
  { name: 'eq multiple', template: '{{eq 3 1 2 3}}', want: 'true' },
  {
    name: 'eq int float errors',
    template: '{{eq 1 1.5}}',
    wantError:
      'template: t:1:2: executing "t" at <eq 1 1.5>: error calling eq: incompatible types for comparison: int and float64',
  },
  { name: 'eq float float', template: '{{eq 1.5 .f}}', want: 'true' },
  { name: 'ne', template: '{{ne 1 2}} {{ne "a" "a"}}', want: 'true false' },
  { name: 'lt le gt ge', template: '{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge "b" "a"}}', want: 'true true false true' },
  {
    name: 'lt mixed int float errors',
    template: '{{lt 1 2.5}}',
    wantError:
      'template: t:1:2: executing "t" at <lt 1 2.5>: error calling lt: incompatible types for comparison: int and float64',
  },
  {
    name: 'lt on maps errors',
    template: '{{lt .m .m}}',
    wantError: 'template: t:1:2: executing "t" at <lt .m .m>: error calling lt: invalid type for comparison',
  },
  { name: 'eq nil', template: '{{eq .nul .nope}}', want: 'true' },
  {
    name: 'eq map errors',
    template: '{{eq .m .m}}',
    wantError:
      'template: t:1:2: executing "t" at <eq .m .m>: error calling eq: non-comparable type map[a:%!s(int=1) b:%!s(int=2) c:three]: map[string]interface {}',
  },
  { name: 'html', template: '{{html .html}}', want: '&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;' },
  { name: 'js', template: '{{js "a\'b\\"c<d>\\n"}}', want: 'a\\\'b\\"c\\u003Cd\\u003E\\u000A' },
  { name: 'urlquery', template: '{{urlquery "a b&c=d/é"}}', want: 'a+b%26c%3Dd%2F%C3%A9' },
  {
    name: 'call custom',
    template: '{{call .nope}}',
    wantError: 'template: t:1:2: executing "t" at <call .nope>: error calling call: call of nil',
  },
  { name: 'custom func', template: '{{upper "abc"}} {{"x" | upper}}', want: 'ABC X' },
  { name: 'custom func int', template: '{{add 2 3}}', want: '5' },
  {
    name: 'custom func error',
    template: '{{fail "boom"}}',
    wantError: 'template: t:1:2: executing "t" at <fail "boom">: error calling fail: boom',
  },
  {
    name: 'custom func wrong arg count',
    template: '{{add 1}}',
    wantError: 'template: t:1:2: executing "t" at <add>: wrong number of args for add: want 2 got 1',
  },
  {
    name: 'builtin wrong arg count',
    template: '{{len}}',
    wantError: 'template: t:1:2: executing "t" at <len>: wrong number of args for len: want 1 got 0',
  },
  {
    name: 'not wrong arg count',
    template: '{{not 1 2}}',
    wantError: 'template: t:1:2: executing "t" at <not>: wrong number of args for not: want 1 got 2',
  },
  { name: 'unknown function', template: '{{nosuch 1}}', wantError: 'template: t:1: function "nosuch" not defined' },
  { name: 'unclosed action', template: 'a {{ .s', wantError: 'template: t:1: unclosed action' },
  {
    name: 'unclosed action eof newline',
    template: 'a {{ .s\n',
    wantError: 'template: t:2: unclosed action started at t:1',
  },
  { name: 'missing end', template: '{{if .t}}x', wantError: 'template: t:1: unexpected EOF' },
  { name: 'unexpected end', template: 'x{{end}}', wantError: 'template: t:1: unexpected {{end}}' },
  { name: 'unexpected else', template: '{{else}}', wantError: 'template: t:1: unexpected {{else}}' },
  { name: 'error on line 3', template: 'a\nb\n{{if}}', wantError: 'template: t:3: missing value for if' },
  { name: 'empty pipeline in if', template: '{{if}}x{{end}}', wantError: 'template: t:1: missing value for if' },
  { name: 'empty command', template: '{{.s | }}', want: 'str' },
  { name: 'bad number', template: '{{3k}}', wantError: 'template: t:1: bad number syntax: "3k"' },
  { name: 'unterminated string', template: '{{"abc}}', wantError: 'template: t:1: unterminated quoted string' },
  { name: 'unterminated raw string', template: '{{`abc}}', wantError: 'template: t:1: unterminated raw quoted string' },
  {
    name: 'define and template',
    template: '{{define "T"}}<{{.}}>{{end}}{{template "T" .s}}{{template "T" .n}}',
    want: '<str><3>',
  },
  { name: 'template without data', template: '{{define "T"}}[{{.}}]{{end}}{{template "T"}}', want: '[<no value>]' },
  {
    name: 'template undefined',
    template: '{{template "nope"}}',
    wantError: 'template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined',
  },
  { name: 'block', template: '{{block "B" .arr}}{{len .}}{{end}}', want: '3' },
  {
    name: 'nested define use',
    template: '{{define "row"}}{{.name}};{{end}}{{range .nested.arr}}{{template "row" .}}{{end}}',
    want: 'a;b;',
  },
  {
    name: 'keyword as function errors',
    template: '{{len if}}',
    wantError: 'template: t:1: unexpected <if> in operand',
  },
  {
    name: 'multiple declarations in range only',
    template: '{{$a, $b := .arr}}',
    wantError: 'template: t:1: too many declarations in command',
  },
  {
    name: 'number field chain',
    template: '{{.ints.x}}',
    wantError: 'template: t:1:7: executing "t" at <.ints.x>: can\'t evaluate field x in type interface {}',
  },
  { name: 'dot in range is element', template: '{{range .nested.arr}}{{.}}{{end}}', want: 'map[name:a]map[name:b]' },
  { name: 'print bools and nil in slice', template: '{{.mixed}}', want: '[true false <nil> 1 2.5 x]' },
  { name: 'large ints', template: '{{.big}} {{printf "%d" .big}}', want: '9007199254740991 9007199254740991' },
  { name: 'negative float print', template: '{{-1.5}} {{.negf}}', want: '-1.5 -0.5' },
  { name: 'float exponent print', template: '{{.tiny}} {{.huge}}', want: '1e-05 1e+22' },
  { name: 'newline in action allowed', template: '{{printf "%s"\n .s}}', want: 'str' },
  { name: 'text with braces', template: 'a { b } {c} }}', want: 'a { b } {c} }}' },
  { name: 'pipeline with parens and pipe', template: '{{(.s | len) | printf "%d"}}', want: '3' },
  { name: 'variable in pipeline', template: '{{$n := len .arr}}{{$n | printf "n=%d"}}', want: 'n=3' },
  { name: 'if with declaration', template: '{{if $x := .s}}{{$x}}{{end}}', want: 'str' },
  { name: 'with variable and dot', template: '{{with $v := .nested.m}}{{$v.k}}{{.k}}{{end}}', want: 'vv' },
  { name: 'range over map of maps', template: '{{range $k, $v := .mm}}{{$k}}={{$v.x}} {{end}}', want: 'p=2 q=1 ' },
  {
    name: 'eq string vs int errors',
    template: '{{eq "1" 1}}',
    wantError:
      'template: t:1:2: executing "t" at <eq "1" 1>: error calling eq: incompatible types for comparison: string and int',
  },
  { name: 'printf %v float', template: '{{printf "%v %v %v" 1.0 0.1 100000000.0}}', want: '1 0.1 1e+08' },
  { name: 'printf %s int', template: '{{printf "%s" 5}}', want: '%!s(int=5)' },
  { name: 'printf %d float', template: '{{printf "%d" 1.5}}', want: '%!d(float64=1.5)' },
  { name: 'print nested map with slice', template: '{{.deep}}', want: 'map[a:map[b:[]] z:[1 map[y:w]]]' },
  {
    name: 'index at length',
    template: '{{index .arr 3}}',
    wantError:
      'template: t:1:2: executing "t" at <index .arr 3>: error calling index: reflect: slice index out of range',
  },
  {
    name: 'index negative',
    template: '{{index .arr -1}}',
    wantError: 'template: t:1:2: executing "t" at <index .arr -1>: error calling index: index out of range: -1',
  },
  {
    name: 'index with string on slice',
    template: '{{index .arr "a"}}',
    wantError:
      'template: t:1:2: executing "t" at <index .arr "a">: error calling index: cannot index slice/array with type string',
  },
  {
    name: 'index of nil',
    template: '{{index .nope 1}}',
    wantError: 'template: t:1:2: executing "t" at <index .nope 1>: error calling index: index of untyped nil',
  },
  {
    name: 'index map with int',
    template: '{{index .m 1}}',
    wantError:
      'template: t:1:2: executing "t" at <index .m 1>: error calling index: value has type int; should be string',
  },
  {
    name: 'len of missing',
    template: '{{len .nope}}',
    wantError:
      'template: t:1:2: executing "t" at <len .nope>: error calling len: reflect: call of reflect.Value.Type on zero Value',
  },
  {
    name: 'printf e and g',
    template: '{{printf "%e|%.2e|%g|%.3g|%G" 1234.5678 1234.5678 0.000012345 1234.5678 1e-7}}',
    want: '1.234568e+03|1.23e+03|1.2345e-05|1.23e+03|1E-07',
  },
  {
    name: 'printf flags',
    template: '{{printf "%+d|% d|%08.3f|%-8.2f|%x" 5 5 3.14159 2.5 -255}}',
    want: '+5| 5|0003.142|2.50    |-ff',
  },
  {
    name: 'printf c and q',
    template: '{{printf "%c%c|%q|%5.1s|" 72 105 "tab\\there" "hello"}}',
    want: 'Hi|"tab\\there"|    h|',
  },
  { name: 'printf t on int', template: '{{printf "%t" 1}}', want: '%!t(int=1)' },
  { name: 'printf s of nil', template: '{{printf "%s|%d" .nul .nope}}', want: '%!s(<nil>)|%!d(<nil>)' },
  {
    name: 'printf round half even',
    template: '{{printf "%.0f %.0f %.1f %.2f" 0.5 1.5 0.25 1.005}}',
    want: '0 2 0.2 1.00',
  },
  { name: 'printf no verb', template: '{{printf "abc%"}}', want: 'abc%!(NOVERB)' },
  {
    name: 'printf non-string format',
    template: '{{printf 5}}',
    wantError: 'template: t:1:9: executing "t" at <5>: expected string; found 5',
  },
  {
    name: 'printf format from field',
    template: '{{printf .n}}',
    wantError: 'template: t:1:9: executing "t" at <.n>: wrong type for value; expected string; got int',
  },
  {
    name: 'ne mixed types errors',
    template: '{{ne 1 "1"}}',
    wantError:
      'template: t:1:2: executing "t" at <ne 1 "1">: error calling ne: incompatible types for comparison: int and string',
  },
  { name: 'le ge on strings', template: '{{le "a" "b"}} {{ge "a" "b"}} {{gt 2.5 1.5}}', want: 'true false true' },
  {
    name: 'lt with nil errors',
    template: '{{lt .nope 1}}',
    wantError: 'template: t:1:2: executing "t" at <lt .nope 1>: error calling lt: invalid type for comparison',
  },
  { name: 'eq bool', template: '{{eq .t true}} {{eq .fl true}}', want: 'true false' },
  {
    name: 'eq no second arg',
    template: '{{eq 1}}',
    wantError: 'template: t:1:2: executing "t" at <eq 1>: error calling eq: missing argument for comparison',
  },
  { name: 'else with chain', template: '{{with .nope}}a{{else with .e}}b{{else}}c{{end}}', want: 'c' },
  {
    name: 'else if chain long',
    template: '{{if eq .n 1}}one{{else if eq .n 2}}two{{else if eq .n 3}}three{{end}}',
    want: 'three',
  },
  { name: 'missingkey=zero missing', template: '{{.nope}}', missingKey: 'zero', want: '<no value>' },
  {
    name: 'missingkey=zero chain',
    template: '{{.nope.x}}',
    missingKey: 'zero',
    wantError: 'template: t:1:7: executing "t" at <.nope.x>: nil pointer evaluating interface {}.x',
  },
  {
    name: 'null intermediate errors',
    template: '{{.nul.x}}',
    wantError: 'template: t:1:6: executing "t" at <.nul.x>: nil pointer evaluating interface {}.x',
  },
  {
    name: 'missingkey=error nil data',
    template: '{{.x}}',
    data: null,
    missingKey: 'error',
    wantError: 'template: t:1:2: executing "t" at <.x>: nil data; no entry for key "x"',
  },
  { name: 'shadowed variable', template: '{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', want: '21' },
  { name: 'assign in if persists', template: '{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', want: '2' },
  { name: 'dollar in define', template: '{{define "T"}}{{$}}{{end}}{{template "T" .n}}', want: '3' },
  {
    name: 'variable not visible in define',
    template: '{{$x := 1}}{{define "T"}}{{$x}}{{end}}',
    wantError: 'template: t:1: undefined variable "$x"',
  },
  { name: 'range key only of map', template: '{{range $k := .m}}{{$k}}{{end}}', want: '12three' },
  {
    name: 'range assign existing vars',
    template: '{{$i := 0}}{{$v := 0}}{{range $i, $v = .arr}}{{end}}{{$i}}{{$v}}',
    want: '2z',
  },
  {
    name: 'range over int with two vars',
    template: '{{range $i, $v := 3}}{{end}}',
    wantError: 'template: t:1:18: executing "t" at <3>: can\'t use 3 to iterate over more than one variable',
  },
  {
    name: 'range break nested inner only',
    template: '{{range .ints}}{{range $.arr}}{{if eq . "y"}}{{break}}{{end}}{{.}}{{end}}|{{end}}',
    want: 'x|x|x|',
  },
  {
    name: 'range continue with else',
    template: '{{range $i, $e := .ints}}{{if eq $i 0}}{{continue}}{{end}}{{$e}}{{else}}none{{end}}',
    want: '23',
  },
  {
    name: 'break with argument',
    template: '{{range .ints}}{{break 1}}{{end}}',
    wantError: 'template: t:1: unexpected "1" in {{break}}',
  },
  {
    name: 'field with argument',
    template: '{{.s 1}}',
    wantError: 'template: t:1:2: executing "t" at <.s>: s is not a method but has arguments',
  },
  {
    name: 'constant with argument',
    template: '{{1 2}}',
    wantError: 'template: t:1:2: executing "t" at <1>: can\'t give argument to non-function 1',
  },
  {
    name: 'pipe into field',
    template: '{{"x" | .s}}',
    wantError: 'template: t:1:8: executing "t" at <.s>: s is not a method but has arguments',
  },
  {
    name: 'pipe into constant',
    template: '{{.s | "x"}}',
    wantError: 'template: t:1: non executable command in pipeline stage 2',
  },
  { name: 'pipe into len', template: '{{.m | len}}', want: '3' },
  {
    name: 'define with else errors',
    template: '{{define "T"}}a{{else}}b{{end}}',
    wantError: 'template: t:1: unexpected {{else}} in define clause',
  },
  { name: 'define unterminated', template: '{{define "T"}}a', wantError: 'template: t:1: unexpected EOF' },
  {
    name: 'define bad name',
    template: '{{define T}}a{{end}}',
    wantError: 'template: t:1: unexpected "T" in define clause',
  },
  {
    name: 'block overridden by define',
    template: '{{block "B" .}}default{{end}}{{define "B"}}override{{end}}',
    wantError: 'template: t:1: template: multiple definition of template "B"',
  },
  {
    name: 'range can only initialize',
    template: '{{range $a, .arr}}{{end}}',
    wantError: 'template: t:1: range can only initialize variables',
  },
  {
    name: 'too many range declarations',
    template: '{{range $a, $b, $c := .arr}}{{end}}',
    wantError: 'template: t:1: too many declarations in range',
  },
  {
    name: 'unexpected dot after constant',
    template: '{{"a".b}}',
    wantError: 'template: t:1: unexpected . after term "\\"a\\""',
  },
  { name: 'bad character in field', template: '{{.a#}}', wantError: "template: t:1: bad character U+0023 '#'" },
  {
    name: 'unrecognized character',
    template: '{{ .s ` }}',
    wantError: 'template: t:1: unterminated raw quoted string',
  },
  { name: 'expected declare', template: '{{$x : 1}}', wantError: 'template: t:1: undefined variable "$x"' },
  { name: 'nested parens', template: '{{printf "%d" (len (index .nested "arr"))}}', want: '2' },
  { name: 'chain on variable pipe', template: '{{$n := .nested}}{{($n.m).k}}', want: 'v' },
  {
    name: 'chain on nil errors',
    template: '{{(nil).x}}',
    wantError: 'template: t:1:3: executing "t" at <nil>: nil is not a command',
  },
  { name: 'html of non-strings', template: '{{html 1 "<" .nope}}', want: '1&lt;&lt;no value&gt;' },
  { name: 'js unicode', template: '{{js "é\\u2028x"}}', want: 'é\\u2028x' },
  { name: 'urlquery multiple args', template: '{{urlquery "a" 1 "b"}}', want: 'a1b' },
  { name: 'print nil and missing', template: '{{print .nul .nope 1}}', want: '<nil> <nil> 1' },
  { name: 'println empty', template: '{{println}}', want: '\n' },
  { name: 'trim markers with newlines', template: 'a\n\n  {{- .s -}}\n\n  b\n{{- "c" }}\n', want: 'astrbc\n' },
  { name: 'trim with tab before dash', template: '{{"a"\t-}} b', want: 'ab' },
  { name: 'no trim without space', template: '{{3 -}}x{{-3}}', want: '3x-3' },
  { name: 'comment with trim only right', template: 'x {{/* c */ -}}  y', want: 'x y' },
  { name: 'delimiters with comment', template: '[[/* c */]]a[[- " b" ]]', delims: ['[[', ']]'], want: 'a b' },
  { name: 'default delims ignored when custom', template: '{{.s}}<%.s%>', delims: ['<%', '%>'], want: '{{.s}}str' },
  { name: 'float data integral prints', template: '{{.fint}}', want: '2.5' },
  { name: 'negative zero float', template: '{{-0.0}}', want: '-0' },
  { name: 'char escapes', template: "{{'\\t'}} {{'\\x41'}} {{'é'}}", want: '9 65 233' },
  { name: 'hex float constant', template: '{{0x1p4}}', want: '16' },
  {
    name: 'integer overflow constant',
    template: '{{99999999999999999999}}',
    wantError: 'template: t:1: integer overflow: "99999999999999999999"',
  },
  { name: 'slice three index', template: '{{slice .ints 0 1 2}}', want: '[1]' },
  {
    name: 'slice bad order',
    template: '{{slice .ints 2 1}}',
    wantError: 'template: t:1:2: executing "t" at <slice .ints 2 1>: error calling slice: invalid slice index: 2 > 1',
  },
  {
    name: 'slice of map errors',
    template: '{{slice .m 1}}',
    wantError:
      'template: t:1:2: executing "t" at <slice .m 1>: error calling slice: can\'t slice item of type map[string]interface {}',
  },
  { name: 'index slice of maps', template: '{{index .nested.arr 0 "name"}}', want: 'a' },
  { name: 'and or pipeline final', template: '{{"" | or "a"}}|{{0 | and 1}}', want: 'a|0' },
  { name: 'not of pipeline', template: '{{.e | not}}', want: 'true' },
  {
    name: 'template with pipeline variable scope',
    template: '{{define "T"}}{{.}}{{end}}{{$x := "v"}}{{template "T" $x}}',
    want: 'v',
  },
  {
    name: 'recursive template',
    template: '{{define "R"}}{{if .}}{{len .}}{{template "R" slice . 1}}{{end}}{{end}}{{template "R" .ints}}',
    want: '321',
  },
  {
    name: 'with variable scope',
    template: '{{with $v := .s}}{{$v}}{{end}}{{$v}}',
    wantError: 'template: t:1: undefined variable "$v"',
  },
  {
    name: 'if else error line 2',
    template: 'x\n{{if .t}}\n{{else}}{{else}}{{end}}',
    wantError: 'template: t:3: expected end; found {{else}}',
  },
  { name: 'range over slice of slices', template: '{{range .grid}}{{range .}}{{.}}{{end}};{{end}}', want: '12;3;' },
  { name: 'print map of slices', template: '{{.grid}}', want: '[[1 2] [3]]' },
  { name: 'newline in text preserved', template: 'line1\nline2\n{{.s}}\n', want: 'line1\nline2\nstr\n' },
  {
    name: 'field on function result',
    template: '{{js.x}}',
    wantError: 'template: t:1:2: executing "t" at <js>: can\'t evaluate field x in type string',
  },
  {
    name: 'field on variable string',
    template: '{{$v := .s}}{{$v.x}}',
    wantError: 'template: t:1:16: executing "t" at <$v.x>: can\'t evaluate field x in type string',
  },
  {
    name: 'field on range element',
    template: '{{range .arr}}{{.x}}{{end}}',
    wantError: 'template: t:1:16: executing "t" at <.x>: can\'t evaluate field x in type interface {}',
  },
  {
    name: 'field on top-level string data',
    template: '{{.x}}',
    data: 'top',
    wantError: 'template: t:1:2: executing "t" at <.x>: can\'t evaluate field x in type string',
  },
  {
    name: 'long error context not truncated',
    template: '{{index .arr 1 2 3 4 5 6 7 8 9}}',
    wantError:
      'template: t:1:2: executing "t" at <index .arr 1 2 3 4 5 6 7 8 9>: error calling index: index out of range: 2',
  },
  {
    name: 'float constant out of range',
    template: '{{1e601}}',
    wantError: 'template: t:1: illegal number syntax: "1e601"',
  },
  { name: 'lone dot at end of input', template: '{{.', wantError: 'template: t:1: illegal number syntax: "."' },
  { name: 'number with letters', template: '{{2if}}', wantError: 'template: t:1: bad number syntax: "2if"' },
  {
    name: 'line of lookahead in parse error',
    template: '{{$undefined\n1}}',
    wantError: 'template: t:2: undefined variable "$undefined"',
  },
  {
    name: 'printf %T',
    template: '{{printf "%T %T %T %T %T" 1 1.5 "s" .m .arr}}',
    want: 'int float64 string map[string]interface {} []interface {}',
  },
  {
    name: 'float %v thresholds',
    template: '{{printf "%v %v %v %v" 123456.0 1234567.0 0.0001 0.00001}}',
    want: '123456 1.234567e+06 0.0001 1e-05',
  },
  {
    name: 'printf zero pads strings too',
    template: '{{printf "%05s|%-05s|%05d|%05.1f" "ab" "ab" -42 -1.25}}',
    want: '000ab|ab   |-0042|-01.2',
  },
  { name: 'printf ascii quoting', template: '{{printf "%+q %q" "héllo" .n}}', want: '"h\\u00e9llo" \'\\x03\'' },
  {
    name: 'printf ties round to even',
    template: '{{printf "%.1e %.2g %.0f %.1f" 2.5 0.125 2.5 0.35}}',
    want: '2.5e+00 0.12 2 0.3',
  },
  {
    name: 'printf nil inside collections',
    template: '{{printf "%d %s" .withnil .withnil}}',
    want: '[%!d(string=a) <nil> %!d(string=b)] [a <nil> b]',
  },
  {
    name: 'printf bad verb keeps flags',
    template: '{{printf "%6.2d|%-5t|" 1.5 1}}',
    want: '%!d(float64=   1.5)|%!t(int=1    )|',
  },
  { name: 'printf %T of nil', template: '{{printf "%T|%.2T" .nul "s"}}', want: '<nil>|st' },
  { name: 'printf plus v is not a sign', template: '{{printf "%+v %+d" 5 5}}', want: '5 +5' },
  {
    name: 'slice with nil index',
    template: '{{slice .arr .nul}}',
    wantError:
      'template: t:1:2: executing "t" at <slice .arr .nul>: error calling slice: cannot index slice/array with type interface {}',
  },
] satisfies Case[];

function run(c: Case): { out: string } | { error: string } {
  try {
    const out = renderTemplate('t', c.template, 'data' in c ? c.data : BASE_DATA, {
      funcs: TEST_FUNCS,
      missingKey: c.missingKey ?? 'default',
      leftDelim: c.delims?.[0],
      rightDelim: c.delims?.[1],
    });
    return { out };
  } catch (err) {
    if (!(err instanceof Error) || !['TemplateParseError', 'TemplateExecError'].includes(err.name)) throw err;
    return { error: err.message };
  }
}

describe('template golden (Go 1.26 text/template)', () => {
  cases.forEach((c: Case, i) => {
    it(`${String(i + 1).padStart(3, '0')} ${c.name}`, () => {
      const got = run(c);
      if (c.wantError !== undefined) assert.deepEqual(got, { error: c.wantError });
      else assert.deepEqual(got, { out: c.want });
    });
  });
});

// JS-side data shapes Go's JSON decoding cannot produce, checked against the Go equivalents by hand-reasoning:
// a Map behaves as map[string]interface {}, a bigint as an int, GoFloat as an integral float64.
describe('template data shapes', () => {
  const render = (template: string, data: unknown, funcs: FuncMap = {}): string =>
    renderTemplate('t', template, data, { funcs });

  it('001 Map prints and ranges in sorted key order', () => {
    const data = {
      m: new Map<string, unknown>([
        ['b', 2],
        ['a', 1],
      ]),
    };
    assert.equal(
      render('{{.m}} {{range $k, $v := .m}}{{$k}}={{$v}},{{end}} {{.m.a}} {{index .m "b"}}', data),
      'map[a:1 b:2] a=1,b=2, 1 2',
    );
  });
  it('002 bigint is an int beyond 2^53', () => {
    assert.equal(render('{{.n}} {{eq .n 9007199254740993}}', { n: 9007199254740993n }), '9007199254740993 true');
  });
  it('003 GoFloat keeps an integral float a float', () => {
    assert.equal(render('{{.f}} {{printf "%v %T %T" .f .f 1}}', { f: new GoFloat(2) }), '2 2 float64 int');
    assert.throws(() => render('{{eq .f 2}}', { f: new GoFloat(2) }), {
      message:
        'template: t:1:2: executing "t" at <eq .f 2>: error calling eq: incompatible types for comparison: float64 and int',
    });
  });
  it('004 call invokes a function value from the data', () => {
    assert.equal(render('{{call .f 2 3}}', { f: (a: unknown, b: unknown) => Number(a) * Number(b) }), '6');
  });
  it('005 custom functions receive the pipeline value last', () => {
    const funcs: FuncMap = { join: { params: 1, variadic: true, fn: (sep, ...xs) => xs.join(String(sep)) } };
    assert.equal(render('{{"c" | join "-" "a" "b"}}', {}, funcs), 'a-b-c');
  });
  it('006 undefined data behaves like nil', () => {
    assert.equal(render('{{.}}|{{.x}}|{{$}}', undefined), '<no value>|<no value>|<no value>');
  });
});
