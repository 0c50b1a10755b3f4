import type { SearchResponse, SearchResult } from '../api-types';
import { Layout, type Frame } from './layout';

export function SearchPage({ frame, query, response }: { frame: Frame; query: string; response: SearchResponse | null }) {
  const results = response?.results ?? [];
  return (
    <Layout frame={frame} title={query ? `Search: ${query}` : 'Search'}>
      <h1>Search the course</h1>
      <form method="get" action="/search" role="search" aria-label="Course">
        <label htmlFor="search-q">Words to look for</label>
        <div class="actions">
          <input id="search-q" type="search" name="q" value={query} maxLength={200} required />
          <button type="submit">Search</button>
        </div>
      </form>
      {response && (
        <section aria-labelledby="results-title">
          <h2 id="results-title">
            {results.length === 0
              ? `No results for “${query}”`
              : `${results.length} ${results.length === 1 ? 'result' : 'results'} for “${query}”`}
          </h2>
          {results.length === 0 && <p>Try fewer or different words. Only chapters your plan includes are searched.</p>}
          <ol class="results">
            {results.map((result) => (
              <li key={`${result.chapter_number}#${result.section_anchor}`}>
                <h3>
                  <a href={resultHref(result)}>
                    Chapter {result.chapter_number}: {result.chapter_title}
                    {result.section_anchor ? ` › ${result.section_title}` : ''}
                  </a>
                </h3>
                <p>
                  {result.snippet.map((segment, index) => (segment.highlight ? <mark key={index}>{segment.text}</mark> : segment.text))}
                </p>
              </li>
            ))}
          </ol>
        </section>
      )}
    </Layout>
  );
}

/**
 * Built from the chapter and anchor rather than the api's `url`, so no link can point
 * off the site. An empty anchor is the chapter's introduction: the chapter itself.
 */
function resultHref(result: SearchResult): string {
  const chapter = `/chapters/${result.chapter_number}`;
  return result.section_anchor ? `${chapter}#${encodeURIComponent(result.section_anchor)}` : chapter;
}
