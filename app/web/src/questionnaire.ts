import { z } from "zod";

// The readiness model: five weighted categories of statements, each answered on a 0-4 scale of
// "how true is this today". docs/app.md describes the same model for people; change both together
// and bump QUESTIONNAIRE_VERSION when the questions or weights change.

export const QUESTIONNAIRE_VERSION = 1;

export const SCALE = [
  { value: 0, label: "Not at all" },
  { value: 1, label: "Rarely" },
  { value: 2, label: "Partly" },
  { value: 3, label: "Mostly" },
  { value: 4, label: "Fully" },
] as const;
export const MAX_POINTS = 4;

export interface Question {
  id: string;
  text: string;
}
export interface Category {
  id: string;
  title: string;
  weight: number;
  questions: Question[];
  recommendation: string;
}

export const CATEGORIES: Category[] = [
  {
    id: "data",
    title: "Data foundations",
    weight: 25,
    questions: [
      {
        id: "data_inventory",
        text: "Our key business data is catalogued, with named owners and documented meaning.",
      },
      {
        id: "data_quality",
        text: "Data quality is measured and problems are fixed at the source.",
      },
      {
        id: "data_access",
        text: "Systems expose their data through governed APIs rather than exports or screen scraping.",
      },
    ],
    recommendation:
      "Catalogue the data your first agent workflow needs, name an owner for each source and expose it through a governed, documented API.",
  },
  {
    id: "integration",
    title: "Systems and APIs",
    weight: 20,
    questions: [
      {
        id: "api_coverage",
        text: "Core business actions (create an order, update a ticket, ...) are available as documented APIs.",
      },
      {
        id: "agent_credentials",
        text: "Automated clients can get scoped, revocable credentials such as service accounts or OAuth clients.",
      },
    ],
    recommendation:
      "Wrap the actions an agent must take in documented APIs and issue it its own scoped, revocable credentials instead of shared user logins.",
  },
  {
    id: "governance",
    title: "Security and governance",
    weight: 20,
    questions: [
      {
        id: "ai_policy",
        text: "An approved policy says where AI agents may act and who is accountable for them.",
      },
      { id: "audit_logging", text: "Actions taken by automated systems are logged and reviewed." },
      {
        id: "human_oversight",
        text: "High-impact actions need a human approval step with a clear escalation path.",
      },
    ],
    recommendation:
      "Agree an AI use policy with an accountable owner, log every automated action and require human approval for high-impact steps.",
  },
  {
    id: "process",
    title: "Processes and workflows",
    weight: 20,
    questions: [
      {
        id: "process_docs",
        text: "Candidate workflows are documented step by step, including their exceptions.",
      },
      {
        id: "success_metrics",
        text: "Each candidate workflow has a measured baseline (time, cost or error rate).",
      },
    ],
    recommendation:
      "Pick one workflow, document its steps and exceptions, and measure today's time, cost and error rate so an agent's effect can be proven.",
  },
  {
    id: "people",
    title: "People and skills",
    weight: 15,
    questions: [
      {
        id: "sponsorship",
        text: "A named executive sponsor funds and prioritises agent adoption.",
      },
      {
        id: "skills",
        text: "Our teams can build, evaluate and operate AI agents, or have a plan to learn.",
      },
    ],
    recommendation:
      "Name an executive sponsor with a budget and train a small team to build, evaluate and run agents before scaling out.",
  },
];

export const LEVELS = [
  { id: "not_ready", title: "Not ready", min: 0 },
  { id: "emerging", title: "Emerging", min: 30 },
  { id: "ready", title: "Ready", min: 55 },
  { id: "advanced", title: "Advanced", min: 80 },
] as const;
export type LevelId = (typeof LEVELS)[number]["id"];

// A category scoring below this gets a recommendation; below HIGH_PRIORITY_BELOW it is "high".
export const RECOMMEND_BELOW = 75;
export const HIGH_PRIORITY_BELOW = 50;

export const QUESTION_IDS = CATEGORIES.flatMap((c) => c.questions.map((q) => q.id));

const point = z
  .number({ error: `each answer must be a whole number from 0 to ${MAX_POINTS}` })
  .int(`each answer must be a whole number from 0 to ${MAX_POINTS}`)
  .min(0, `each answer must be a whole number from 0 to ${MAX_POINTS}`)
  .max(MAX_POINTS, `each answer must be a whole number from 0 to ${MAX_POINTS}`);

// Strict: an unknown key (including "__proto__" or "constructor" from a crafted JSON body) is
// rejected rather than silently dropped.
export const answersSchema = z.strictObject(
  Object.fromEntries(QUESTION_IDS.map((id) => [id, point])) as Record<string, typeof point>,
);
export const partialAnswersSchema = answersSchema.partial();
export type Answers = Record<string, number>;

export interface Recommendation {
  category: string;
  title: string;
  priority: "high" | "medium" | "low";
  message: string;
}
export interface AuditResult {
  score: number;
  level: LevelId;
  categoryScores: Record<string, number>;
  recommendations: Recommendation[];
}

export function levelFor(score: number): LevelId {
  let level: LevelId = LEVELS[0].id;
  for (const l of LEVELS) if (score >= l.min) level = l.id;
  return level;
}

export function scoreAudit(answers: Answers): AuditResult {
  const raw: Record<string, number> = {};
  let weighted = 0;
  let totalWeight = 0;
  for (const c of CATEGORIES) {
    const points = c.questions.reduce((sum, q) => sum + (answers[q.id] ?? 0), 0);
    const categoryScore = (100 * points) / (MAX_POINTS * c.questions.length);
    raw[c.id] = categoryScore;
    weighted += c.weight * categoryScore;
    totalWeight += c.weight;
  }
  const score = Math.round(weighted / totalWeight);
  const categoryScores = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, Math.round(v)]),
  );

  const gaps = CATEGORIES.filter((c) => (raw[c.id] ?? 0) < RECOMMEND_BELOW)
    .map((c, order) => ({ c, order, gap: c.weight * (100 - (raw[c.id] ?? 0)) }))
    .sort((a, b) => b.gap - a.gap || a.order - b.order);
  const recommendations: Recommendation[] = gaps.map(({ c }) => ({
    category: c.id,
    title: c.title,
    priority: (raw[c.id] ?? 0) < HIGH_PRIORITY_BELOW ? "high" : "medium",
    message: c.recommendation,
  }));
  if (recommendations.length === 0) {
    recommendations.push({
      category: "overall",
      title: "Keep it up",
      priority: "low",
      message:
        "Every category is strong. Re-run this audit after each new agent rollout to catch regressions early.",
    });
  }
  return { score, level: levelFor(score), categoryScores, recommendations };
}

// What the wizard page needs to render the questionnaire (no scoring internals).
export function publicQuestionnaire() {
  return {
    version: QUESTIONNAIRE_VERSION,
    scale: SCALE,
    categories: CATEGORIES.map(({ id, title, weight, questions }) => ({
      id,
      title,
      weight,
      questions,
    })),
    levels: LEVELS.map(({ id, title }) => ({ id, title })),
  };
}
