import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SaveAsTemplateSection } from './SaveAsTemplateSection';
import { TemplateForm } from './TemplateForm';
import { templatesQuery } from './templates-api';
import './templates.css';

/**
 * Plan templates: the list (built-in and saved, latest versions), a parameter form for the chosen
 * one (`?name=` in the URL, so it can be linked) that creates a draft plan and opens it, and a form
 * to save a plan as a template.
 */
export function TemplatesPage() {
  const templates = useQuery(templatesQuery());
  const [search, setSearch] = useSearchParams();
  const chosenName = search.get('name');
  const chosen = templates.data?.find((t) => t.name === chosenName);
  return (
    <div className="templates">
      <h1>Templates</h1>
      <p className="muted">
        A template is a plan with <code>{'{{parameters}}'}</code> in its texts. Choose one, fill in its
        parameters, and a draft plan is created for you to review, finalize and run.
      </p>
      {templates.isPending ? <Busy label="Loading templates…" /> : null}
      <ErrorMessage
        error={templates.error}
        title="Could not load the templates"
        onRetry={() => void templates.refetch()}
      />
      {templates.data ? (
        <ul className="templates-list" aria-label="Templates">
          {templates.data.map((t) => (
            <li key={t.name} className="card">
              <h2 id={`template-${t.name}`}>{t.title}</h2>
              <p className="muted">
                <code>{t.name}</code> · {t.version === 0 ? 'built-in' : `version ${t.version}`}
                {t.version > 0 && t.builtin ? ' (over the built-in one)' : ''}
              </p>
              {t.description ? <p>{t.description}</p> : null}
              <button
                type="button"
                aria-describedby={`template-${t.name}`}
                aria-pressed={t.name === chosenName}
                onClick={() => setSearch({ name: t.name })}
              >
                Use this template
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {chosenName && templates.data && !chosen ? (
        <p className="field-error" role="alert">
          There is no template named {chosenName}.
        </p>
      ) : null}
      {chosen ? <TemplateForm key={`${chosen.name}@${chosen.version}`} template={chosen} /> : null}
      <SaveAsTemplateSection />
    </div>
  );
}
