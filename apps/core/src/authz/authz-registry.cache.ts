import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RegistrySnapshot, ResourceActionSnapshot, ResourceMappingSnapshot, ResourceTypeSnapshot } from './engine/decision.types';

interface RegistryEntry {
  type: ResourceTypeSnapshot;
  actions: Map<string, ResourceActionSnapshot>;
  mapping: ResourceMappingSnapshot | null;
}

const TYPE_SQL = `
SELECT json_build_object('id', rt.id, 'key', rt.key, 'display_name', rt.display_name, 'description', rt.description,
         'status', rt.status, 'source', rt.source) AS resource_type,
       (SELECT coalesce(json_agg(json_build_object('id', a.id, 'resource_type_id', a.resource_type_id, 'key', a.key,
                 'display_name', a.display_name, 'description', a.description, 'risk_level', a.risk_level,
                 'audit_default', a.audit_default)), '[]'::json)
          FROM resource_actions a WHERE a.resource_type_id = rt.id) AS actions,
       (SELECT json_build_object('id', mp.id, 'resource_type_id', mp.resource_type_id, 'storage_kind', mp.storage_kind,
                 'table_name', mp.table_name, 'id_field', mp.id_field, 'space_field', mp.space_field, 'group_field', mp.group_field,
                 'owner_member_field', mp.owner_member_field, 'visibility_field', mp.visibility_field,
                 'metadata_field', mp.metadata_field, 'status', mp.status)
          FROM resource_mappings mp WHERE mp.resource_type_id = rt.id) AS mapping
  FROM resource_types rt WHERE rt.key = $1`;

/** At most this many resource types (known or unknown keys) are held; the oldest goes first. */
export const REGISTRY_CACHE_LIMIT = 1024;

/**
 * The resource registry (type, action, mapping) held in memory per process. Owner: the authz
 * check. Invalidation: every registry write replaces the `authz_registry_version` token (a
 * trigger), each check reads that token in the query it already makes, and a new token empties
 * this cache — so every replica sees a change on its very next check, with no extra round trip
 * and no TTL. Unknown type keys are remembered too, so a stream of bad checks costs no query.
 */
@Injectable()
export class AuthzRegistryCache {
  private version: string | null | undefined = undefined;
  private entries = new Map<string, Promise<RegistryEntry | null>>();
  private loaded = 0;

  constructor(private readonly dataSource: DataSource) {}

  async lookup(version: string | null, typeKey: string, actionKey: string): Promise<RegistrySnapshot> {
    if (version !== this.version || version === null) {
      this.version = version;
      this.entries = new Map();
    }
    const entries = this.entries;
    let entry = entries.get(typeKey);
    if (!entry) {
      entry = this.load(typeKey);
      if (entries.size >= REGISTRY_CACHE_LIMIT) entries.delete(entries.keys().next().value!);
      entries.set(typeKey, entry);
      entry.catch(() => entries.get(typeKey) === entry && entries.delete(typeKey));
    }
    const found = await entry;
    return { resource_type: found?.type ?? null, action: found?.actions.get(actionKey) ?? null, mapping: found?.mapping ?? null };
  }

  /** How many times a type was read from the database (the cache's misses). */
  get loads(): number {
    return this.loaded;
  }

  private async load(typeKey: string): Promise<RegistryEntry | null> {
    this.loaded++;
    const [row] = await this.dataSource.query(TYPE_SQL, [typeKey]);
    if (!row) return null;
    const actions = row.actions as ResourceActionSnapshot[];
    return { type: row.resource_type, actions: new Map(actions.map((a) => [a.key, a])), mapping: row.mapping };
  }
}
