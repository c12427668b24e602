# Releases: make release writes dist/ (tarballs, .debs, OCI images, SBOMs,
# SHA256SUMS) from a clean tree; make release-check builds twice in temporary
# directories, compares, and tries what it built. See release/README.md.
#
# The architectures released (Debian's names): amd64 is ./pidone, the others
# build/ARCH/pidone from `make CROSS=<triplet>-`.
RELEASE_ARCHES ?= amd64 arm64 armhf i386 ppc64el s390x

.PHONY: release release-deps release-build release-check

release-deps:
	@sh release/deps.sh $(RELEASE_ARCHES)

# deps first, in a make of its own (the libc is chosen when make starts).
release: release-deps
	@sh release/release.sh dist $(RELEASE_ARCHES)

# In an exported tree, with SOURCE_DATE_EPOCH set: what release.sh runs.
release-build:
	@sh release/build.sh $(RELEASE_ARCHES)

release-check: release-deps
	@sh release/check.sh $(RELEASE_ARCHES)
