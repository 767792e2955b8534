// SPDX-License-Identifier: MIT
/*
 * Hypervisor command line parser. Pure and freestanding: see cmdline.h.
 */
#include "boot/cmdline.h"

#include <string.h>

#define KIB_SHIFT 10
#define MIB_SHIFT 20
#define GIB_SHIFT 30

static const char msg_unknown_option[] = "unknown option";
static const char msg_unknown_value[] = "unknown value";
static const char msg_malformed[] = "malformed number";
static const char msg_range[] = "value out of range";
static const char msg_overflow[] = "size overflow";
static const char msg_align[] = "size not a multiple of 4 KiB";
static const char msg_no_value[] = "option takes no value";

struct name_value {
	const char *name;
	int value;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * memchr() is not in the hypervisor's <string.h>; a bounded search of our
 * own keeps the module freestanding.
 */
static const char *find_char(const char *s, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

/* Does [s, s+len) equal the NUL-terminated @word? */
static bool token_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse an unsigned number, decimal or 0x-prefixed hexadecimal, from the
 * start of [s, s+len). Returns the count of characters used (0 when there
 * is no digit) and sets *overflow when the value does not fit in 64 bits.
 */
static size_t parse_u64(const char *s, size_t len, uint64_t *out,
			bool *overflow)
{
	unsigned int base = 10;
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	*overflow = false;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < len; i++, digits++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			*overflow = true;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return digits ? i : 0;
}

/* A whole-token number: every character must be a digit. */
static const char *parse_number(const char *s, size_t len, uint64_t *out)
{
	bool overflow;
	size_t used = parse_u64(s, len, out, &overflow);

	if (used == 0 || used != len)
		return msg_malformed;
	if (overflow)
		return msg_range;
	return NULL;
}

static const char *parse_size(const char *s, size_t len, uint64_t *out)
{
	bool overflow;
	unsigned int shift = 0;
	size_t used = parse_u64(s, len, out, &overflow);

	if (used == 0)
		return msg_malformed;
	if (used + 1 == len) {
		switch (s[used]) {
		case 'k':
		case 'K':
			shift = KIB_SHIFT;
			break;
		case 'm':
		case 'M':
			shift = MIB_SHIFT;
			break;
		case 'g':
		case 'G':
			shift = GIB_SHIFT;
			break;
		default:
			return msg_malformed;
		}
	} else if (used != len) {
		return msg_malformed;
	}
	if (overflow || (shift && (*out >> (64 - shift)) != 0))
		return msg_overflow;
	*out <<= shift;
	return NULL;
}

static const char *lookup(const char *v, size_t vlen,
			  const struct name_value *tab, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (token_eq(v, vlen, tab[i].name)) {
			*out = tab[i].value;
			return NULL;
		}
	}
	return msg_unknown_value;
}

#define LOOKUP(v, vlen, tab, out)                                              \
	lookup(v, vlen, tab, sizeof(tab) / sizeof(tab[0]), out)

static const struct name_value loglvl_names[] = {
	{ "err", HV_LOG_ERR },
	{ "warn", HV_LOG_WARN },
	{ "info", HV_LOG_INFO },
	{ "debug", HV_LOG_DEBUG },
};

static const struct name_value on_exit_names[] = {
	{ "halt", HV_ON_EXIT_HALT },
	{ "poweroff", HV_ON_EXIT_POWEROFF },
};

static const struct name_value reboot_names[] = {
	{ "restart", HV_REBOOT_RESTART },
	{ "stop", HV_REBOOT_STOP },
};

static const struct name_value testfault_names[] = {
	{ "none", HV_TESTFAULT_NONE }, { "ud", HV_TESTFAULT_UD },
	{ "pf", HV_TESTFAULT_PF },     { "badentry", HV_TESTFAULT_BADENTRY },
	{ "smi", HV_TESTFAULT_SMI },
};

static const struct name_value apicv_names[] = {
	{ "posted", HV_APICV_POSTED },
	{ "noposted", HV_APICV_NOPOSTED },
	{ "off", HV_APICV_OFF },
};

static const struct name_value svm_inject_names[] = {
	{ "virq", HV_SVM_INJECT_VIRQ },
	{ "eventinj", HV_SVM_INJECT_EVENTINJ },
};

static const struct name_value console_names[] = {
	{ "com1", HV_COM1_PORT },    { "com2", HV_COM2_PORT },
	{ "com3", HV_COM3_PORT },    { "com4", HV_COM4_PORT },
	{ "auto", HV_CONSOLE_AUTO }, { "none", 0 },
};

static const char *parse_console(const char *v, size_t vlen,
				 struct hv_config *cfg)
{
	uint64_t port;
	const char *e;
	int named;

	if (!LOOKUP(v, vlen, console_names, &named)) {
		cfg->console_port = (uint16_t)named;
		return NULL;
	}
	/* Only an explicit hexadecimal port: "console=1016" is a typo. */
	if (vlen < 2 || v[0] != '0' || (v[1] != 'x' && v[1] != 'X'))
		return msg_unknown_value;
	e = parse_number(v, vlen, &port);
	if (e)
		return e;
	if (port == 0 || port > HV_CONSOLE_PORT_MAX)
		return msg_range;
	cfg->console_port = (uint16_t)port;
	return NULL;
}

static const char *parse_vcpus(const char *v, size_t vlen,
			       struct hv_config *cfg)
{
	uint64_t n;
	const char *e = parse_number(v, vlen, &n);

	if (e)
		return e;
	if (n > HV_CONFIG_MAX_VCPUS)
		return msg_range;
	cfg->vcpus = (unsigned int)n;
	return NULL;
}

static const char *parse_mem(const char *v, size_t vlen, struct hv_config *cfg)
{
	uint64_t m;
	const char *e = parse_size(v, vlen, &m);

	if (e)
		return e;
	if (m < HV_MEM_MIN || m > HV_MEM_MAX)
		return msg_range;
	if (m & (HV_MEM_ALIGN - 1))
		return msg_align;
	cfg->mem = m;
	return NULL;
}

/* Apply one token [t, t+len), which holds no blank. */
static const char *parse_token(const char *t, size_t len, struct hv_config *cfg)
{
	const char *eq = find_char(t, len, '=');
	size_t klen = eq ? (size_t)(eq - t) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;
	const char *e;
	int x;

	if (token_eq(t, klen, "noguest")) {
		if (eq)
			return msg_no_value;
		cfg->noguest = true;
		return NULL;
	}
	if (!eq)
		return msg_unknown_option;
	if (token_eq(t, klen, "console"))
		return parse_console(v, vlen, cfg);
	if (token_eq(t, klen, "vcpus"))
		return parse_vcpus(v, vlen, cfg);
	if (token_eq(t, klen, "mem"))
		return parse_mem(v, vlen, cfg);
	if (token_eq(t, klen, "loglvl")) {
		e = LOOKUP(v, vlen, loglvl_names, &x);
		if (!e)
			cfg->loglvl = (enum hv_loglvl)x;
		return e;
	}
	if (token_eq(t, klen, "on_exit")) {
		e = LOOKUP(v, vlen, on_exit_names, &x);
		if (!e)
			cfg->on_exit = (enum hv_on_exit)x;
		return e;
	}
	if (token_eq(t, klen, "reboot")) {
		e = LOOKUP(v, vlen, reboot_names, &x);
		if (!e)
			cfg->reboot = (enum hv_reboot)x;
		return e;
	}
	if (token_eq(t, klen, "testfault")) {
		e = LOOKUP(v, vlen, testfault_names, &x);
		if (!e)
			cfg->testfault = (enum hv_testfault)x;
		return e;
	}
	if (token_eq(t, klen, "apicv")) {
		e = LOOKUP(v, vlen, apicv_names, &x);
		if (!e)
			cfg->apicv = (enum hv_apicv)x;
		return e;
	}
	if (token_eq(t, klen, "svm_inject")) {
		e = LOOKUP(v, vlen, svm_inject_names, &x);
		if (!e)
			cfg->svm_inject = (enum hv_svm_inject)x;
		return e;
	}
	return msg_unknown_option;
}

void cmdline_defaults(struct hv_config *cfg)
{
	cfg->console_port = HV_COM1_PORT;
	cfg->loglvl = HV_LOG_INFO;
	cfg->vcpus = 0;
	cfg->mem = HV_MEM_DEFAULT;
	cfg->noguest = false;
	cfg->on_exit = HV_ON_EXIT_HALT;
	cfg->reboot = HV_REBOOT_RESTART;
	cfg->testfault = HV_TESTFAULT_NONE;
	cfg->apicv = HV_APICV_POSTED;
	cfg->svm_inject = HV_SVM_INJECT_VIRQ;
}

int cmdline_parse(const char *s, struct hv_config *cfg, const char **err_token,
		  size_t *err_token_len, const char **err_msg)
{
	if (!s)
		return 0;
	while (*s) {
		const char *t, *e;
		size_t len = 0;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		t = s;
		while (t[len] && !is_blank(t[len]))
			len++;
		e = parse_token(t, len, cfg);
		if (e) {
			if (err_token)
				*err_token = t;
			if (err_token_len)
				*err_token_len = len;
			if (err_msg)
				*err_msg = e;
			return -1;
		}
		s = t + len;
	}
	return 0;
}

const char *cmdline_skip_filename(const char *s)
{
	size_t len = 0;

	if (!s)
		return "";
	while (is_blank(*s))
		s++;
	while (s[len] && !is_blank(s[len]))
		len++;
	if (!find_char(s, len, '/') || find_char(s, len, '='))
		return s;
	s += len;
	while (is_blank(*s))
		s++;
	return s;
}
