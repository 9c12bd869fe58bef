import type { Document, LineCounter } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { formatPath, type Segment } from './paths.js';
import { positionOf, type Target } from './yaml-nodes.js';

/** An issue before it has a place in the file: a key path and which part of the key to point at. */
export interface RawIssue {
  path: Segment[];
  target: Target;
  message: string;
  suggestion: string;
}

/** Gives a RawIssue its dotted key path, line and column. */
export function placeIssue(doc: Document, lines: LineCounter, raw: RawIssue): ConfigIssue {
  const position = positionOf(doc, lines, raw.path, raw.target);
  return { path: formatPath(raw.path), ...(position && { line: position.line, column: position.column }), message: raw.message, suggestion: raw.suggestion };
}
