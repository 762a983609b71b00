import { readFileSync } from 'node:fs';

// A small reader of the subset of the Prisma schema language this project
// uses, so a test can compare schema.prisma with the migrated database.
// (Prisma's own schema engine cannot run offline here.)

export interface SchemaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  id: boolean;
  unique: boolean;
  hasDefault: boolean;
  autoincrement: boolean;
  nativeType: string | null;
  relation: { fields: string[]; references: string[] } | null;
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
}

export interface Schema {
  models: SchemaModel[];
  enums: Map<string, string[]>;
}

export function readSchema(file: string): Schema {
  const text = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const enums = new Map<string, string[]>();
  for (const match of text.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    enums.set(match[1]!, match[2]!.split(/\s+/).filter(Boolean));
  }
  const blocks = [...text.matchAll(/model\s+(\w+)\s*\{([^}]*)\}/g)].map((m) => ({ name: m[1]!, body: m[2]! }));
  const modelNames = new Set(blocks.map((b) => b.name));
  const models = blocks.map(({ name, body }) => parseModel(name, body, modelNames, enums));
  return { models, enums };
}

function parseModel(name: string, body: string, modelNames: Set<string>, enums: Map<string, string[]>): SchemaModel {
  const lines = body.split('\n').map((l) => l.trim()).filter(Boolean);
  const model: SchemaModel = { name, table: name, fields: [], primaryKey: [], uniques: [], indexes: [] };
  const columnOf = (field: string) => model.fields.find((f) => f.name === field)?.column ?? field;
  const blockAttributes: string[] = [];
  for (const line of lines) {
    if (line.startsWith('@@')) {
      blockAttributes.push(line);
      continue;
    }
    const [fieldName, rawType, ...rest] = line.split(/\s+/);
    const attributes = rest.join(' ');
    const baseType = rawType!.replace(/[?[\]]/g, '');
    const relation = /@relation\(/.test(attributes) ? parseRelation(attributes) : null;
    if (modelNames.has(baseType)) {
      if (relation) model.fields.push(relationField(fieldName!, baseType, relation));
      continue;
    }
    if (!enums.has(baseType) && !SCALARS.has(baseType)) throw new Error(`unknown type ${baseType} in ${name}`);
    model.fields.push({
      name: fieldName!,
      column: /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? fieldName!,
      type: baseType,
      optional: rawType!.endsWith('?'),
      list: rawType!.endsWith('[]'),
      id: /@id\b/.test(attributes),
      unique: /@unique\b/.test(attributes),
      hasDefault: /@default\(/.test(attributes),
      autoincrement: /@default\(autoincrement\(\)\)/.test(attributes),
      nativeType: /@db\.(\w+(\(\d+\))?)/.exec(attributes)?.[1] ?? null,
      relation: null,
    });
  }
  for (const attribute of blockAttributes) {
    const columns = () => /\[([^\]]*)\]/.exec(attribute)![1]!.split(',').map((s) => columnOf(s.trim()));
    if (attribute.startsWith('@@map(')) model.table = /"([^"]+)"/.exec(attribute)![1]!;
    else if (attribute.startsWith('@@id(')) model.primaryKey = columns();
    else if (attribute.startsWith('@@unique(')) model.uniques.push(columns());
    else if (attribute.startsWith('@@index(')) model.indexes.push(columns());
  }
  for (const field of model.fields) {
    if (field.id) model.primaryKey = [field.column];
    if (field.unique) model.uniques.push([field.column]);
    if (field.relation) {
      field.relation.fields = field.relation.fields.map(columnOf);
    }
  }
  return model;
}

function relationField(name: string, type: string, relation: { fields: string[]; references: string[] }): SchemaField {
  return {
    name, column: '', type, optional: false, list: false, id: false, unique: false,
    hasDefault: false, autoincrement: false, nativeType: null, relation,
  };
}

function parseRelation(attributes: string): { fields: string[]; references: string[] } | null {
  const fields = /fields:\s*\[([^\]]*)\]/.exec(attributes)?.[1];
  const references = /references:\s*\[([^\]]*)\]/.exec(attributes)?.[1];
  if (!fields || !references) return null;
  const split = (s: string) => s.split(',').map((x) => x.trim());
  return { fields: split(fields), references: split(references) };
}

const SCALARS = new Set(['Int', 'BigInt', 'String', 'Boolean', 'DateTime', 'Json', 'Decimal', 'Float', 'Bytes']);

/** The PostgreSQL type Prisma maps a field to, as format_type() prints it. */
export function expectedSqlType(field: SchemaField, enums: Map<string, string[]>): string {
  if (enums.has(field.type)) return `"${field.type}"`;
  if (field.nativeType) {
    const native = /^(\w+)(?:\((\d+)\))?$/.exec(field.nativeType)!;
    if (native[1] === 'Timestamptz') return `timestamp(${native[2] ?? 3}) with time zone`;
    throw new Error(`native type ${field.nativeType} not handled`);
  }
  const map: Record<string, string> = {
    Int: 'integer', BigInt: 'bigint', String: 'text', Boolean: 'boolean',
    DateTime: 'timestamp(3) without time zone', Json: 'jsonb', Float: 'double precision', Bytes: 'bytea',
  };
  return map[field.type]!;
}
