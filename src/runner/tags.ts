/** `--tags` / `--skip-tags` as Ansible reads them. */
export interface TagFilter {
  tags?: readonly string[];
  skipTags?: readonly string[];
}

/**
 * A task runs when it has one of `--tags` (or `--tags` is not given, or the task is tagged
 * `always`) and none of `--skip-tags` (`never`-tagged tasks run only when asked for by name).
 */
export function selectedByTags(taskTags: readonly string[], filter: TagFilter): boolean {
  const has = (list: readonly string[] | undefined) =>
    list?.some((tag) => taskTags.includes(tag) || tag === 'all') ?? false;
  if (filter.skipTags?.length && filter.skipTags.some((tag) => taskTags.includes(tag))) return false;
  if (taskTags.includes('always')) return true;
  if (filter.tags?.length) return has(filter.tags);
  return !taskTags.includes('never');
}
