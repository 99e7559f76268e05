import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, constants, mkdir, open, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { type FileStorage, FileStorageError, assertStorageFolder, assertStorageKey } from "./file-storage.ts";

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT";

/**
 * Files on local disk: key `folder/file` is the file `dir/folder/file`. Writes go to a temp name in
 * the same folder, then rename (atomic: a reader sees the whole file or none).
 */
export function createLocalFileStorage(options: { dir: string }): FileStorage {
  const dir = resolve(options.dir);
  const pathOf = (key: string) => {
    assertStorageKey(key);
    return join(dir, key);
  };
  return {
    driver: "local",
    location: dir,
    async check() {
      try {
        await mkdir(dir, { recursive: true });
        await access(dir, constants.W_OK | constants.R_OK);
      } catch (e) {
        throw new FileStorageError(
          `file storage: the uploads folder ${dir} cannot be used (${(e as Error).message})`,
          { cause: e },
        );
      }
    },
    async put(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
      try {
        await writeFile(tmp, data, { flag: "wx" });
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },
    async open(key) {
      let fh: Awaited<ReturnType<typeof open>>;
      try {
        fh = await open(pathOf(key), "r");
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
      try {
        const { size } = await fh.stat();
        // The stream owns the handle from here (closes it at the end or on error).
        const stream = createReadStream("", { fd: fh });
        return { size, body: Readable.toWeb(stream) as ReadableStream<Uint8Array> };
      } catch (e) {
        await fh.close();
        throw e;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async deleteFolder(folder) {
      assertStorageFolder(folder);
      const path = join(dir, folder);
      let names: string[];
      try {
        names = await readdir(path);
      } catch (e) {
        if (isMissing(e)) return 0;
        throw e;
      }
      await rm(path, { recursive: true, force: true });
      return names.filter((n) => !n.includes(".tmp-")).length;
    },
    async close() {},
  };
}
