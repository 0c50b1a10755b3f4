import type { Answer, AttemptResult, ChapterLink, Quiz, QuizQuestion } from '../api-types';
import { renderTextMarkdown } from '../markdown';
import { CsrfField, Layout, type Frame } from './layout';

/** The form field that carries a question's answer; `[]` makes repeated checkboxes an array. */
export function answerField(question: QuizQuestion): string {
  return question.type === 'multiple' ? `answers[${question.id}][]` : `answers[${question.id}]`;
}

function QuestionInput({ question, index, previous }: { question: QuizQuestion; index: number; previous?: Answer }) {
  const name = answerField(question);
  const legend = `Question ${index + 1}: ${question.prompt}`;
  if (question.type === 'short_answer') {
    const id = `answer-${question.id}`;
    return (
      <fieldset>
        <legend>Question {index + 1}</legend>
        <label htmlFor={id}>{question.prompt}</label>
        <input id={id} type="text" name={name} value={typeof previous === 'string' ? previous : ''} required autoComplete="off" />
      </fieldset>
    );
  }
  const options =
    question.type === 'true_false'
      ? [
          { id: 'true', text: 'True' },
          { id: 'false', text: 'False' },
        ]
      : (question.options ?? []);
  const inputType = question.type === 'multiple' ? 'checkbox' : 'radio';
  const chosen = (id: string) => (Array.isArray(previous) ? previous.includes(id) : previous !== undefined && String(previous) === id);
  return (
    <fieldset>
      <legend>{legend}</legend>
      {question.type === 'multiple' && (
        <p class="hint">Choose every answer that applies. It counts as correct only with every right option and no wrong one.</p>
      )}
      {options.map((option) => {
        const id = `answer-${question.id}-${option.id}`;
        return (
          <label key={option.id} class="choice" htmlFor={id}>
            <input id={id} type={inputType} name={name} value={option.id} checked={chosen(option.id)} required={inputType === 'radio'} />
            <span>{option.text}</span>
          </label>
        );
      })}
    </fieldset>
  );
}

export function QuizPage(props: { frame: Frame; quiz: Quiz; best: number | null; last: number | null; error?: string }) {
  const { frame, quiz } = props;
  return (
    <Layout frame={frame} title={quiz.title}>
      <p class="muted">
        <a href={`/chapters/${quiz.chapter_number}`}>Chapter {quiz.chapter_number}</a> › Quiz
      </p>
      <h1>{quiz.title}</h1>
      <p>Answer every question, then submit. You pass with {quiz.pass_percentage}% or more, and you can retake it as often as you like.</p>
      {props.best !== null && (
        <p>
          Your best score so far: <strong>{props.best}%</strong>
          {props.last !== null && <> (last attempt {props.last}%)</>}
        </p>
      )}
      {props.error && (
        <div class="error-summary" role="alert">
          <p>{props.error}</p>
        </div>
      )}
      <form method="post" action={`/chapters/${quiz.chapter_number}/quiz`}>
        <CsrfField token={frame.csrfToken} />
        {quiz.questions.map((question, index) => (
          <QuestionInput key={question.id} question={question} index={index} />
        ))}
        <div class="actions">
          <button type="submit">Submit answers</button>
        </div>
      </form>
    </Layout>
  );
}

/** The correct answer in words: option ids become their text. */
export function describeAnswer(question: QuizQuestion | undefined, answer: unknown): string {
  const text = (value: unknown): string => {
    if (typeof value === 'boolean') return value ? 'True' : 'False';
    const option = question?.options?.find((o) => o.id === String(value));
    if (option) return option.text;
    if (question?.type === 'true_false' && (value === 'true' || value === 'false')) return value === 'true' ? 'True' : 'False';
    return String(value);
  };
  if (Array.isArray(answer)) return answer.map(text).join(', ');
  if (answer === null || answer === undefined) return '';
  return text(answer);
}

export function QuizResultPage(props: { frame: Frame; quiz: Quiz; result: AttemptResult }) {
  const { frame, quiz, result } = props;
  const questions = new Map(quiz.questions.map((q) => [q.id, q]));
  return (
    <Layout frame={frame} title={`${quiz.title}: your result`}>
      <p class="muted">
        <a href={`/chapters/${quiz.chapter_number}`}>Chapter {quiz.chapter_number}</a> › Quiz result
      </p>
      <h1>{quiz.title}: your result</h1>
      <div class="card" role="status">
        <p class="price">
          {result.score} of {result.max_score} correct ({result.percentage}%)
        </p>
        <p>
          <strong>{result.passed ? 'Passed.' : `Not passed yet: ${quiz.pass_percentage}% passes.`}</strong> Best score{' '}
          {result.best_percentage}%.
        </p>
      </div>
      <h2>Question by question</h2>
      {result.results.map((item, index) => {
        const question = questions.get(item.question_id);
        const verdict = item.correct ? 'correct' : 'incorrect';
        return (
          <section key={item.question_id} class={`result ${verdict}`} aria-labelledby={`result-${index}`}>
            <h3 id={`result-${index}`}>
              Question {index + 1}: {question?.prompt ?? item.question_id}
            </h3>
            <p class={`verdict ${verdict}`}>
              <strong>{item.correct ? 'Correct' : 'Incorrect'}</strong>
              {item.feedback && (
                <>
                  : <span dangerouslySetInnerHTML={{ __html: renderTextMarkdown(item.feedback, { inline: true }) }} />
                </>
              )}
            </p>
            {!item.correct && item.correct_answer !== undefined && item.correct_answer !== null && (
              <p>Correct answer: {describeAnswer(question, item.correct_answer)}</p>
            )}
            {/* Explanations are Markdown like the chapters; rendered and sanitized the same way. */}
            {item.explanation && <div class="explanation" dangerouslySetInnerHTML={{ __html: renderTextMarkdown(item.explanation) }} />}
          </section>
        );
      })}
      <div class="actions">
        <a class="button" href={`/chapters/${quiz.chapter_number}/quiz`}>
          Retake the quiz
        </a>
        <a class="button secondary" href={`/chapters/${quiz.chapter_number}`}>
          Back to the chapter
        </a>
        <NextChapterLink next={result.next_chapter} />
      </div>
    </Layout>
  );
}

/** The way on after a quiz; a chapter this learner's plan does not open says so, with the plans beside it. */
function NextChapterLink({ next }: { next: ChapterLink | null }) {
  if (!next) return null;
  const label = `Go to chapter ${next.number}: ${next.title}`;
  if (!next.locked) return <a href={`/chapters/${next.number}`}>{label}</a>;
  return (
    <>
      <a href={`/chapters/${next.number}`}>{label} (locked on your plan)</a>
      <a href="/upgrade">See the plans</a>
    </>
  );
}
