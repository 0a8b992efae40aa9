import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README is also the registry's package page, where relative links lead nowhere: every link into the
// repository is absolute, built from package.json's `repository` (change the URL there and this test lists
// every README link to update), and points at a file that exists.
const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  repository: { url: string };
  homepage: string;
  bugs: { url: string };
};
const repo = /^git\+(https:\/\/github\.com\/[^/]+\/[^/]+?)\.git$/.exec(pkg.repository.url)?.[1];
const links = [...readme.matchAll(/\]\(([^)\s]+)\)|src="([^"]+)"/g)].map((m) => m[1] ?? m[2]);

describe('README links (the package page)', () => {
  it('package.json names the repository once; homepage and bugs derive from it', () => {
    expect(repo).toBeDefined();
    expect(pkg.homepage).toBe(`${repo}#readme`);
    expect(pkg.bugs.url).toBe(`${repo}/issues`);
  });

  it('has no relative link or picture', () => {
    expect(links.filter((l) => !/^(https?:|#)/.test(l))).toEqual([]);
  });

  it('links into the repository only through its URL, to files that exist (pictures as raw files)', () => {
    const [owner, name] = (repo as string).split('/').slice(-2);
    const raw = `https://raw.githubusercontent.com/${owner}/${name}/main/`;
    const blob = `${repo}/blob/main/`;
    const internal = links.filter((l) => l.includes(`${owner}/${name}`));
    expect(internal.length).toBeGreaterThan(0);
    for (const link of internal) {
      const path = link.startsWith(raw) ? link.slice(raw.length) : link.startsWith(blob) ? link.slice(blob.length) : '';
      expect(path, `${link} is neither ${blob}… nor ${raw}…`).not.toBe('');
      expect(existsSync(new URL(path.split('#')[0], root)), `${link}: ${path} does not exist`).toBe(true);
      if (/\.(png|jpe?g|gif|svg)$/.test(path))
        expect(link.startsWith(raw), `${link} is a picture: use ${raw}`).toBe(true);
    }
  });
});
