#!/usr/bin/python3
"""oci.py: pidone's two FROM-scratch images, byte for byte the same on every run.

    oci.py --version V --epoch SECONDS --out DIR DEBARCH=BINARY...

writes, for each image (pidone: /sbin/pidone; pidone-pause: /pause):
  DIR/IMAGE-V-oci.tar                one OCI layout (an oci-archive): index.json
                                     names V, a multi-arch index with one
                                     manifest per architecture;
  DIR/IMAGE-V-linux-ARCH-docker.tar  a docker-archive per architecture, for
                                     `docker load` / `podman load`: IMAGE:V and
                                     IMAGE:latest.
Every tar is sorted, owned by 0:0 and dated EPOCH; JSON has sorted keys and no
spaces; gzip carries no name and no time.
"""
import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import tarfile

# Debian architecture: OCI platform (GOARCH, variant).
PLATFORM = {
    "amd64": ("amd64", None),
    "arm64": ("arm64", "v8"),
    "armhf": ("arm", "v7"),
    "i386": ("386", None),
    "ppc64el": ("ppc64le", None),
    "s390x": ("s390x", None),
}

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

# name: (path of the binary in the image, image config)
IMAGES = {
    "pidone": ("sbin/pidone", {"Entrypoint": ["/sbin/pidone"]}),
    # Run as "pause", pidone is in pause mode; 65535 is the pause image's user.
    "pidone-pause": ("pause", {"Entrypoint": ["/pause"], "User": "65535:65535"}),
}


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_bytes(entries, epoch):
    """entries: (name, bytes or None for a directory, mode), written sorted."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data, mode in sorted(entries):
            info = tarfile.TarInfo(name)
            info.mtime = epoch
            info.mode = mode
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def with_dirs(files):
    """The files, and an entry for every directory above them."""
    dirs = set()
    for name, _, _ in files:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return [(d, None, 0o755) for d in dirs] + list(files)


class Blobs(dict):
    def add(self, data):
        digest = sha256(data)
        self[digest] = data
        return digest


def build_image(name, version, epoch, binaries, created):
    """The blobs of one image; its index's digest; per arch (config, layer.tar)."""
    path, config = IMAGES[name]
    labels = {
        "org.opencontainers.image.title": name,
        "org.opencontainers.image.version": version,
        "org.opencontainers.image.licenses": "MIT",
        "org.opencontainers.image.created": created,
    }
    blobs = Blobs()
    descriptors, docker = [], {}
    for arch in sorted(binaries):
        goarch, variant = PLATFORM[arch]
        with open(binaries[arch], "rb") as f:
            binary = f.read()
        layer = tar_bytes(with_dirs([(path, binary, 0o755)]), epoch)
        layer_gz = gzip.compress(layer, compresslevel=9, mtime=0)
        platform = {"architecture": goarch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        cfg = dict(platform)
        cfg.update({
            "created": created,
            "config": dict(config, Labels=labels),
            "rootfs": {"type": "layers", "diff_ids": [sha256(layer)]},
            "history": [{"created": created,
                         "created_by": "pidone release/oci.py: /%s" % path}],
        })
        cfg_bytes = canonical(cfg)
        manifest = canonical({
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": blobs.add(cfg_bytes),
                       "size": len(cfg_bytes)},
            "layers": [{"mediaType": MT_LAYER, "digest": blobs.add(layer_gz),
                        "size": len(layer_gz)}],
            "annotations": labels,
        })
        descriptors.append({"mediaType": MT_MANIFEST, "digest": blobs.add(manifest),
                            "size": len(manifest), "platform": platform})
        docker[arch] = (cfg_bytes, layer)
    index = canonical({"schemaVersion": 2, "mediaType": MT_INDEX,
                       "manifests": descriptors, "annotations": labels})
    return blobs, (blobs.add(index), len(index)), docker


def oci_archive(blobs, index, version, epoch):
    digest, size = index
    top = canonical({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [{
        "mediaType": MT_INDEX, "digest": digest, "size": size,
        "annotations": {"org.opencontainers.image.ref.name": version}}]})
    files = [("oci-layout", canonical({"imageLayoutVersion": "1.0.0"}), 0o644),
             ("index.json", top, 0o644)]
    files += [("blobs/sha256/" + d.split(":")[1], b, 0o644) for d, b in blobs.items()]
    return tar_bytes(with_dirs(files), epoch)


def docker_archive(name, version, cfg_bytes, layer, epoch):
    cfg_name = hashlib.sha256(cfg_bytes).hexdigest() + ".json"
    layer_name = hashlib.sha256(layer).hexdigest() + "/layer.tar"
    tags = ["%s:%s" % (name, version), name + ":latest"]
    manifest = canonical([{"Config": cfg_name, "RepoTags": tags,
                           "Layers": [layer_name]}])
    files = [("manifest.json", manifest, 0o644), (cfg_name, cfg_bytes, 0o644),
             (layer_name, layer, 0o644)]
    return tar_bytes(with_dirs(files), epoch)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--version", required=True)
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("binaries", nargs="+", metavar="DEBARCH=BINARY")
    args = ap.parse_args()
    binaries = dict(b.split("=", 1) for b in args.binaries)
    created = datetime.datetime.fromtimestamp(
        args.epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for name in IMAGES:
        blobs, index, docker = build_image(name, args.version, args.epoch,
                                           binaries, created)
        base = os.path.join(args.out, "%s-%s" % (name, args.version))
        write(base + "-oci.tar", oci_archive(blobs, index, args.version, args.epoch))
        for arch, (cfg_bytes, layer) in docker.items():
            write("%s-linux-%s-docker.tar" % (base, arch),
                  docker_archive(name, args.version, cfg_bytes, layer, args.epoch))


if __name__ == "__main__":
    main()
