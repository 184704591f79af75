# `make deb`: the package built from a copy of the tree, so the work tree is
# never written. The copy is the tracked files as they are in the work tree
# (uncommitted edits included, untracked files left out). Results land in
# $(BUILD)/pkg, checked with lintian. First it checks that the packaging's
# version is VERSION's.

PKG_NAME := sbx-$(VERSION)
PKG_OUT := $(BUILD)/pkg
DEB_TMP := $(BUILD)/pkg-deb
APPARMOR_PROFILE := packaging/apparmor/sbx
# The package build runs its own make: nothing of this make's command
# line (MAKEFLAGS carries BUILD=, SANITIZE=, ...) nor BUILD or SANITIZE
# from the environment may reach it.
PKG_BUILD_ENV := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE

.PHONY: deb pkg-version-check apparmor-check

# VERSION is the one version. The Debian changelog keeps its own entries (a
# changelog is history, not a generated line), so this check fails until it
# has one for VERSION; the man page's header names the version too.
pkg-version-check:
	@deb=$$(sed -n '1s/^sbx (\(.*\)-[^-]*).*/\1/p' packaging/debian/changelog); \
	man=$$(sed -n 's/^\.TH .*"sbx \([^"]*\)".*/\1/p' docs/sbx.1); \
	if [ "$$deb" != "$(VERSION)" ] || [ "$$man" != "$(VERSION)" ]; then \
		echo "packaging: VERSION is $(VERSION) but packaging/debian/changelog says '$$deb'," \
		     "docs/sbx.1 '$$man' (add a changelog entry with dch -v $(VERSION)-1)" >&2; \
		exit 1; \
	fi; \
	echo "packaging: debian/changelog and docs/sbx.1 are at VERSION $(VERSION)"

# $(call pkg_tarball,DIR): DIR emptied, then DIR/sbx-VERSION.tar.gz holding
# the tracked files under sbx-VERSION/.
define pkg_tarball
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
		{ echo "packaging: make deb copies the tracked files and needs a git checkout" >&2; exit 1; }
	rm -rf $(1)
	mkdir -p $(1) $(PKG_OUT)
	git ls-files -z | tar --null -T - --owner=0 --group=0 --numeric-owner \
		--transform='s,^,$(PKG_NAME)/,S' -czf $(1)/$(PKG_NAME).tar.gz
endef

# The profile uses abi 4.0 and the userns rule of AppArmor 4. An older
# apparmor_parser (Debian 12 has 3.0) knows neither; there the rest of the
# profile is parsed and the line says what was left out.
apparmor-check:
	@command -v apparmor_parser >/dev/null || \
		{ echo "packaging: apparmor_parser not found (apt-get install apparmor)" >&2; exit 1; }
	@if [ -e /etc/apparmor.d/abi/4.0 ]; then \
		apparmor_parser -Q -K $(APPARMOR_PROFILE) && \
		echo "apparmor: $(APPARMOR_PROFILE) parses"; \
	else \
		sed -e 's|<abi/4.0>|<abi/3.0>|' -e '/^[[:space:]]*userns,$$/d' $(APPARMOR_PROFILE) | \
		apparmor_parser -Q -K && \
		echo "apparmor: $(APPARMOR_PROFILE) parses without abi 4.0 and its userns rule," \
		     "which this apparmor_parser ($$(apparmor_parser --version | sed -n '1s/.* //p')) does not know"; \
	fi

# The tarball doubles as the .orig.tar.gz, so the source package is built
# and checked too. dpkg-buildpackage writes next to the tree: into $(DEB_TMP).
deb: pkg-version-check apparmor-check
	$(call pkg_tarball,$(DEB_TMP))
	mv $(DEB_TMP)/$(PKG_NAME).tar.gz $(DEB_TMP)/sbx_$(VERSION).orig.tar.gz
	tar -xzf $(DEB_TMP)/sbx_$(VERSION).orig.tar.gz -C $(DEB_TMP)
	cp -R $(DEB_TMP)/$(PKG_NAME)/packaging/debian $(DEB_TMP)/$(PKG_NAME)/debian
	cd $(DEB_TMP)/$(PKG_NAME) && $(PKG_BUILD_ENV) dpkg-buildpackage -us -uc
	rm -f $(PKG_OUT)/*.deb
	cp $(DEB_TMP)/*.deb $(PKG_OUT)/
	lintian --fail-on error,warning $(DEB_TMP)/sbx_*.changes
	@echo "deb: $$(ls $(PKG_OUT)/*.deb | tr '\n' ' ')(lintian clean)"
