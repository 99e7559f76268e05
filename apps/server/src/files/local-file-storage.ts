import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type FileStorage, assertStorageKey } from "./file-storage.ts";

/** Files on local disk, one file per key in `dir`. Writes go to a temp name, then rename (atomic). */
export function createLocalFileStorage(options: { dir: string }): FileStorage {
  const dir = resolve(options.dir);
  let made: Promise<unknown> | null = null;
  const ensureDir = () => {
    made ??= mkdir(dir, { recursive: true });
    return made;
  };
  const pathOf = (key: string) => {
    assertStorageKey(key);
    return join(dir, key);
  };
  return {
    driver: "local",
    async put(key, data) {
      const path = pathOf(key);
      await ensureDir();
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
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
