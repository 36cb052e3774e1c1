# hotline-migrate: one non-recursive Makefile.
#   make                 build build/migrate and the test tools
#   make DEVELOPER=1     strict warnings, -Werror
#   make SANITIZE=address,undefined
#   make test            unit tests + integration tests on private servers
#   make demo            set-up, build, servers, reference data, migration, report
#   make bench           1,000,000 rows: migrate vs pgloader vs psql \copy
#   make fuzz            every fuzz target under clang libFuzzer (FUZZ_SECONDS each)

PKGS     := libpq libmariadb odbc libarchive expat yaml-0.1 jansson libcrypto
CC       ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -pthread -I. $(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lm -pthread

ifeq ($(DEVELOPER),1)
CFLAGS   += -Werror -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wformat-security -Wvla -Wundef -Wcast-align \
            -Wwrite-strings -Wold-style-definition -Wmissing-declarations -Wno-unused-parameter
endif
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

B := build
O := build/obj
LIB_SRC := $(filter-out migrate/main.c migrate/cmd_%.c migrate/report.c,$(wildcard migrate/*.c)) \
           $(wildcard extractors/*.c) $(wildcard transform/*.c) $(wildcard loaders/*.c)
CMD_SRC := migrate/main.c migrate/report.c $(wildcard migrate/cmd_*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(O)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS    := $(B)/gen12319 $(B)/gen-estate
# every fuzz target also builds with a plain main() that replays files, so
# the seed corpora run in `make test`; `make fuzz` builds them with libFuzzer
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)

all: $(B)/migrate $(TOOLS) $(UNIT_BIN) $(FUZZ_BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Objects are linked directly, not through an archive: the registries refer to
# drivers weakly, and a weak reference does not pull a member out of a .a.
$(B)/migrate: $(CMD_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/gen12319: $(O)/tests/gen/gen12319.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/gen-estate: $(patsubst %.c,$(O)/%.o,$(wildcard tests/gen/estate*.c))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/test_%: $(O)/tests/unit/test_%.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

$(B)/fuzz/%: $(O)/tests/fuzz/%.o $(O)/tests/fuzz/main_standalone.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

test: all
	tests/harness.sh

fuzz:
	scripts/fuzz

demo:
	scripts/demo

bench: all
	scripts/bench
	scripts/bench-files
	scripts/bench-decode

clean:
	rm -rf $(B)

.PHONY: all test demo bench fuzz clean
-include $(shell find $(B) -name '*.d' 2>/dev/null)
