import { define06Lessons, EPOLL } from './06-09.lessonSuites';
import { defineConformanceSuite } from './conformance';

defineConformanceSuite('06-epoll');
defineConformanceSuite('06-epoll', { flavour: 'sanitize' });
define06Lessons(EPOLL);
