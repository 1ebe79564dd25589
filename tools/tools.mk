# tools/: the `xenia` CLI (toolstack, like Xen's xl).
#   config.c      xl.cfg-style config -> struct xenia_domcfg (pure; libconfig)
#   ctl_msg.c     control protocol messages: encode requests, check replies (pure)
#   ctl_client.c  the control socket: connect, send with SCM_RIGHTS, receive
#   console.c     copy bytes between a console socket and the terminal
#   xenia.c       the verbs
XENIA_CLI_OBJS := $(addprefix $(B)/obj/tools/,xenia.o config.o ctl_msg.o ctl_client.o console.o)

all: $(B)/bin/xenia

$(B)/bin/xenia: $(XENIA_CLI_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lconfig

# Unit tests (tests/tests.mk): tests/unit/test_<x>.c links UNIT_DEPS_<x>.
UNIT_DEPS_config := $(B)/obj/tools/config.o
UNIT_LIBS_config := -lconfig
UNIT_DEPS_ctlmsg := $(B)/obj/tools/ctl_msg.o
UNIT_DEPS_cli_client := $(addprefix $(B)/obj/tools/,ctl_client.o ctl_msg.o console.o)
UNIT_LIBS_cli_client := -lpthread
