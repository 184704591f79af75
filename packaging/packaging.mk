# `make deb`, `make rpm`: packages built from a copy of the last commit
# (git archive HEAD), so the work tree is never written and a package is
# always some commit's, never a mix of edits in progress. Results land in
# $(BUILD)/pkg; `make deb` also runs lintian, `make rpm` rpmlint. Both first
# check that the packaging's versions are VERSION's.

PKG_NAME := sbx-$(VERSION)
PKG_OUT := $(BUILD)/pkg
DEB_TMP := $(BUILD)/pkg-deb
RPM_TMP := $(abspath $(BUILD))/pkg-rpm
APPARMOR_PROFILE := packaging/apparmor/sbx
# The package builds run their own make: nothing of this make's command
# line (MAKEFLAGS carries BUILD=, SANITIZE=, ...) nor BUILD or SANITIZE
# from the environment may reach them.
PKG_BUILD_ENV := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE

.PHONY: deb rpm pkg-version-check apparmor-check

# VERSION is the one version. The Debian changelog and the spec keep their
# own entries (a changelog is history, not a generated line), so this check
# fails until both have one for VERSION; the man page's header names the
# version too.
pkg-version-check:
	@deb=$$(sed -n '1s/^sbx (\(.*\)-[^-]*).*/\1/p' packaging/debian/changelog); \
	spec=$$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/sbx.spec); \
	rel=$$(sed -n 's/^Release:[[:space:]]*\([^%]*\).*/\1/p' packaging/rpm/sbx.spec); \
	spec_log=$$(sed -n '/^%changelog/{n;s/.* - \([^ ]*\)$$/\1/p;q}' packaging/rpm/sbx.spec); \
	man=$$(sed -n 's/^\.TH .*"sbx \([^"]*\)".*/\1/p' docs/sbx.1); \
	if [ "$$deb" != "$(VERSION)" ] || [ "$$spec" != "$(VERSION)" ] || \
	   [ "$$spec_log" != "$(VERSION)-$$rel" ] || [ "$$man" != "$(VERSION)" ]; then \
		echo "packaging: VERSION is $(VERSION) but packaging/debian/changelog says '$$deb'," \
		     "sbx.spec's Version '$$spec', its %changelog '$$spec_log', docs/sbx.1 '$$man'" \
		     "(add a changelog entry with dch -v $(VERSION)-1, and one in the spec)" >&2; \
		exit 1; \
	fi; \
	echo "packaging: debian/changelog, sbx.spec and docs/sbx.1 are at VERSION $(VERSION)"

# $(call pkg_tarball,DIR): DIR emptied, then DIR/sbx-VERSION.tar.gz holding
# HEAD's tree under sbx-VERSION/.
define pkg_tarball
	@git rev-parse -q --verify HEAD >/dev/null || \
		{ echo "packaging: make deb/rpm build the last commit and need a git checkout" >&2; exit 1; }
	@git diff --quiet HEAD -- || echo "packaging: building HEAD ($$(git rev-parse --short HEAD));" \
		"uncommitted changes are not in the package" >&2
	rm -rf $(1)
	mkdir -p $(1) $(PKG_OUT)
	git archive --format=tar.gz --prefix=$(PKG_NAME)/ -o $(1)/$(PKG_NAME).tar.gz HEAD
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

# Building on Debian needs two things of rpmbuild that Fedora's does not:
# --nodeps, since Fedora's build dependencies cannot be installed there (the
# Debian -dev packages provide the same headers and libraries), and running
# brp-compress with bash: it uses bash's `read -d` under #!/bin/sh, which is
# dash on Debian, and would leave the man page uncompressed.
RPMBUILD_ON_DEBIAN := --nodeps --define '__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}'
rpm: pkg-version-check
	$(call pkg_tarball,$(RPM_TMP))
	$(PKG_BUILD_ENV) rpmbuild -bb $(if $(wildcard /etc/debian_version),$(RPMBUILD_ON_DEBIAN)) \
		--define '_topdir $(RPM_TMP)' --define '_sourcedir $(RPM_TMP)' packaging/rpm/sbx.spec
	rm -f $(PKG_OUT)/*.rpm
	cp $(RPM_TMP)/RPMS/*/*.rpm $(PKG_OUT)/
	rpmlint -r packaging/rpm/rpmlintrc packaging/rpm/sbx.spec $(PKG_OUT)/*.rpm
	@echo "rpm: $$(ls $(PKG_OUT)/*.rpm | tr '\n' ' ')(rpmlint clean)"
