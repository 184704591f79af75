/* SPDX-License-Identifier: MIT */
/*
 * /etc/subuid text: subid_find() for a few callers, subid_parse_line() on
 * the whole input, then the map layouts of every mode for what was found.
 * The same text as /etc/passwd: passwd_find_name() gives a non-empty name
 * that fits, has no ':' or newline, and starts the line it came from.
 * Checks that a range never reaches (uid_t)-1, that a layout never
 * overlaps inside, always maps the payload's own id, and renders.
 */
#include "fuzz_common.h"

#include "cli.h"
#include "log.h"
#include "userns.h"

static void check_range(const struct id_range *r)
{
	FUZZ_CHECK(r->count > 0);
	FUZZ_CHECK((uint64_t)r->start + r->count <= UINT32_MAX);
}

static void check_map(const struct id_map *m, uint32_t caller, const struct id_range *range)
{
	int target_mapped = 0;
	char text[256];

	FUZZ_CHECK(m->n >= 1 && m->n <= ID_MAP_MAX_LINES);
	for (size_t i = 0; i < m->n; i++) {
		const struct id_map_line *l = &m->lines[i];
		FUZZ_CHECK(l->count > 0);
		FUZZ_CHECK((uint64_t)l->inside + l->count <= UINT32_MAX);
		FUZZ_CHECK((uint64_t)l->outside + l->count <= UINT32_MAX);
		/* Outside, only the caller and its own range. */
		FUZZ_CHECK(
		    (l->outside == caller && l->count == 1 && caller != 0) ||
		    (range && l->outside >= range->start &&
		     (uint64_t)l->outside + l->count <= (uint64_t)range->start + range->count));
		if (m->target >= l->inside && (uint64_t)m->target < (uint64_t)l->inside + l->count)
			target_mapped = 1;
		for (size_t j = i + 1; j < m->n; j++) {
			const struct id_map_line *k = &m->lines[j];
			FUZZ_CHECK((uint64_t)l->inside + l->count <= k->inside ||
				   (uint64_t)k->inside + k->count <= l->inside);
			/* No host id may be mapped twice either. */
			FUZZ_CHECK((uint64_t)l->outside + l->count <= k->outside ||
				   (uint64_t)k->outside + k->count <= l->outside);
		}
	}
	FUZZ_CHECK(target_mapped);
	FUZZ_CHECK(userns_map_text(m, text, sizeof(text)) == 0);
}

static void layouts(const struct id_range *range, uint32_t caller)
{
	const uint32_t wants[] = {
	    0,
	    1,
	    caller,
	    range ? range->count - 1 : 2,
	    range ? range->count : 3,
	    range ? range->count + 1 : 4,
	    4294967294U,
	};
	struct id_map m;

	for (int mode = USER_KEEP; mode <= USER_ID; mode++)
		for (size_t w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
			if (userns_layout((enum user_mode)mode, wants[w], caller, range, &m,
					  "uid") == 0)
				check_map(&m, caller, range);
			if (mode != USER_ID)
				break;
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *name;
		uint32_t id;
	} callers[] = {
	    {"alice", 1000}, {"root", 0}, {NULL, 4294967294U}, {"1000", 1001}, {"", 70000},
	};
	char *text = malloc(size + 1);
	struct id_range r;
	char name[8];

	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';

	for (size_t c = 0; c < sizeof(callers) / sizeof(callers[0]); c++) {
		memset(&r, 0, sizeof(r));
		if (subid_find(text, callers[c].name, callers[c].id, &r) == 1) {
			check_range(&r);
			layouts(&r, callers[c].id);
		}
		layouts(NULL, callers[c].id);
		if (subid_parse_line(text, callers[c].name, callers[c].id, &r) == 1)
			check_range(&r);
		if (passwd_find_name(text, callers[c].id, name, sizeof(name)) == 1) {
			size_t n = strlen(name);
			FUZZ_CHECK(n > 0 && n < sizeof(name));
			FUZZ_CHECK(!strchr(name, ':') && !strchr(name, '\n'));
			FUZZ_CHECK(strstr(text, name) != NULL);
		}
	}
	free(text);
	return 0;
}
